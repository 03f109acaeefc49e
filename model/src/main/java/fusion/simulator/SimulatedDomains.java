package fusion.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * What the simulator knows about a question's domain ({@code domains.json}): the aspects a careful answer covers, and for each
 * the positions an answer can take, with a figure. Panel answers pick aspects and positions from here;
 * the judge compares what the answers said and, from the same list, names the aspects none covered.
 */
final class SimulatedDomains {
    private SimulatedDomains() {}

    /** One position on an aspect; {@code %d} is the answer's figure, drawn from lo..hi. */
    record Stance(String text, int lo, int hi) {
        String with(int figure) {
            return String.format(Locale.ROOT, text, figure);
        }
    }

    /**
     * An aspect of a domain: its name (the bullet's label), the words that show a question asks about it,
     * what an answer that skips it leaves open, and the positions answers take.
     */
    record Aspect(String name, List<String> cues, String question, List<Stance> stances) {
        String label() {
            return Character.toUpperCase(name.charAt(0)) + name.substring(1);
        }

        boolean askedIn(String question) {
            String q = question.toLowerCase(Locale.ROOT);
            return cues.stream().anyMatch(q::contains);
        }
    }

    record Domain(String name, List<String> keywords, List<Aspect> aspects) {
        int score(String question) {
            String q = question.toLowerCase(Locale.ROOT);
            return (int) keywords.stream().filter(q::contains).count();
        }

        Aspect aspect(String name) {
            return aspects.stream().filter(a -> a.name().equalsIgnoreCase(name.strip())).findFirst().orElse(null);
        }
    }

    /** The catalogue, {@code domains.json} beside this class: the general domain first, then the specific ones. */
    private static final List<Domain> CATALOGUE = load();
    static final Domain GENERAL = CATALOGUE.get(0);
    static final List<Domain> ALL = CATALOGUE.subList(1, CATALOGUE.size());

    private static List<Domain> load() {
        try (InputStream in = SimulatedDomains.class.getResourceAsStream("domains.json")) {
            if (in == null) throw new IllegalStateException("fusion/simulator/domains.json is missing from the jar");
            return List.of(new ObjectMapper().readValue(in, Domain[].class));
        } catch (IOException e) {
            throw new UncheckedIOException("fusion/simulator/domains.json cannot be read", e);
        }
    }

    /** The domain whose words the question uses most; the general one when none fits. */
    static Domain of(String question) {
        Domain best = GENERAL;
        int bestScore = 0;
        for (Domain d : ALL) {
            int s = d.score(question);
            if (s > bestScore) {
                best = d;
                bestScore = s;
            }
        }
        return best;
    }
}
