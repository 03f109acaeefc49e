package fusion.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the simulator says: panel answers, judge analyses and final answers, each a pure function
 * of the model and the prompt. Panel answers to one prompt cover aspects of its domain
 * ({@link SimulatedDomains}) and take positions with figures on them; they overlap, differ and leave
 * gaps, and the judge reports what they actually said.
 */
final class SimulatedAnswers {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String JUDGE_MARKER = "# Panel responses";
    static final String SYNTHESIS_MARKER = "# Analysis";
    private static final Pattern RESPONSE_HEADING = Pattern.compile("^## (Response [A-H])\\s*$");
    /** "Label: what the answer says about it", the shape of every simulated panel bullet. */
    private static final Pattern LABELLED = Pattern.compile("^([A-Za-z][A-Za-z -]{1,40}):\\s+(.+)$");
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)?");
    /** How often a model takes the position most of the panel takes on an aspect. */
    private static final double MAJORITY = 0.85;
    /** How often a model quotes the figure most of the panel quotes for its position, rather than its own. */
    private static final double SHARED_FIGURE = 0.6;

    private SimulatedAnswers() {}

    static boolean isSynthesis(String lastUser) {
        return hasLine(lastUser, SYNTHESIS_MARKER);
    }

    static boolean isJudge(String lastUser) {
        return hasLine(lastUser, JUDGE_MARKER) && lastUser.contains("## Response A");
    }

    /**
     * A panel answer: one bullet per aspect of the question's domain that this model covers, each with a position
     * and a figure. The aspects the question names are covered by most models; of the others, the more salient (an
     * order drawn per prompt) more often, and the least salient by none. On each aspect the panel has a position
     * most models take; a model departs from it now and then, and sometimes quotes its own figure.
     */
    static String panel(String model, String lastUser, long promptHash, long modelHash) {
        String question = question(lastUser);
        SimulatedDomains.Domain domain = SimulatedDomains.of(question);
        List<SimulatedDomains.Aspect> ranked = salience(domain, question, promptHash);
        SplittableRandom own = new SplittableRandom(modelHash);
        Set<SimulatedDomains.Aspect> covered = new LinkedHashSet<>();
        int unasked = 0;
        for (int i = 0; i < ranked.size() - 1; i++) { // the least salient aspect is left for the judge to find missing
            SimulatedDomains.Aspect a = ranked.get(i);
            boolean asked = a.askedIn(question);
            double chance = asked ? 0.9 : unasked == 0 ? 0.95 : unasked == 1 ? 0.5 : 0.25;
            if (!asked) unasked++;
            if (own.nextDouble() < chance) covered.add(a);
        }
        for (int i = 0; covered.size() < 2 && i < ranked.size() - 1; i++) covered.add(ranked.get(i));
        StringBuilder out = new StringBuilder("(simulated answer from ").append(model).append(")\n");
        out.append("On ").append(subject(question)).append(":\n");
        for (SimulatedDomains.Aspect a : ranked) {
            if (!covered.contains(a)) continue;
            List<SimulatedDomains.Stance> stances = a.stances();
            int majority = new SplittableRandom(promptHash ^ Simulator.mix(a.name().hashCode())).nextInt(stances.size());
            int taken = stances.size() == 1 || own.nextDouble() < MAJORITY ? majority
                    : (majority + 1 + own.nextInt(stances.size() - 1)) % stances.size();
            SimulatedDomains.Stance stance = stances.get(taken);
            SplittableRandom panelFigure = new SplittableRandom(promptHash ^ Simulator.mix(a.name().hashCode() * 31L + taken));
            int figure = own.nextDouble() < SHARED_FIGURE ? between(panelFigure, stance) : between(own, stance);
            out.append("- ").append(a.label()).append(": ").append(stance.with(figure)).append(".\n");
        }
        return out.toString().strip();
    }

    /**
     * The analysis a careful judge would write, from what each labelled response said on each aspect: one position
     * every response took is consensus; one position only some took is partial coverage, or a unique insight when
     * one response alone raised it; different positions on one aspect are a contradiction, with each response's own
     * words; an aspect of the question's domain that no response covered is a blind spot.
     */
    static String judge(String lastUser) {
        SimulatedDomains.Domain domain = SimulatedDomains.of(lastTurn(question(lastUser)));
        Map<String, List<String>> responses = responses(lastUser);
        Map<String, List<Said>> byAspect = new LinkedHashMap<>();
        responses.forEach((label, bullets) -> bullets.forEach(b -> {
            Said said = Said.of(label, b, domain);
            byAspect.computeIfAbsent(said.aspect(), k -> new ArrayList<>()).add(said);
        }));
        int n = responses.size();
        ObjectNode out = JSON.createObjectNode();
        ArrayNode consensus = out.putArray("consensus");
        ArrayNode contradictions = out.putArray("contradictions");
        ArrayNode partial = out.putArray("partial_coverage");
        ArrayNode unique = out.putArray("unique_insights");
        ArrayNode blind = out.putArray("blind_spots");
        byAspect.forEach((aspect, said) -> {
            Map<String, List<Said>> positions = new LinkedHashMap<>();
            said.forEach(s -> positions.computeIfAbsent(s.position(), k -> new ArrayList<>()).add(s));
            if (positions.size() > 1) {
                ObjectNode c = contradictions.addObject().put("topic", said.get(0).topic());
                ArrayNode stances = c.putArray("stances");
                said.forEach(s -> stances.addObject().put("model", s.label()).put("stance", s.stance()));
                return;
            }
            Set<String> holders = new LinkedHashSet<>();
            said.forEach(s -> holders.add(s.label()));
            String point = Said.merged(said);
            if (holders.size() == n) {
                consensus.add(point);
            } else if (holders.size() >= 2) {
                ObjectNode entry = partial.addObject();
                holders.forEach(entry.putArray("models")::add);
                entry.put("point", point);
            } else {
                unique.addObject().put("model", said.get(0).label()).put("insight", point);
            }
        });
        for (SimulatedDomains.Aspect a : domain.aspects()) {
            if (!byAspect.containsKey(a.name())) blind.add(a.label() + ": no response addressed " + a.question() + ".");
        }
        return out.toString();
    }

    /**
     * What one response said on one aspect. A bullet that names no aspect of the domain stands for itself. Its
     * position is what it says with the figures left out, so two responses that agree but quote different figures
     * take one position.
     */
    private record Said(String label, String aspect, String topic, String stance) {
        static Said of(String label, String bullet, SimulatedDomains.Domain domain) {
            Matcher m = LABELLED.matcher(bullet);
            SimulatedDomains.Aspect a = m.matches() ? domain.aspect(m.group(1)) : null;
            if (a == null) return new Said(label, "\n" + bullet.toLowerCase(Locale.ROOT), bullet, bullet);
            return new Said(label, a.name(), a.name(), withoutStop(m.group(2)));
        }

        boolean named() {
            return !aspect.startsWith("\n");
        }

        String position() {
            return NUMBER.matcher(stance.toLowerCase(Locale.ROOT)).replaceAll("#");
        }

        /** The shared point; when the responses quote different figures, their spread in place of the first one's. */
        static String merged(List<Said> said) {
            Said first = said.get(0);
            String text = first.stance();
            List<Double> figures = new ArrayList<>();
            for (Said s : said) {
                Matcher m = NUMBER.matcher(s.stance());
                if (m.find()) figures.add(Double.parseDouble(m.group().replace(",", "")));
            }
            double lo = figures.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            double hi = figures.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            if (figures.size() == said.size() && lo != hi) {
                text = NUMBER.matcher(text).replaceFirst(Matcher.quoteReplacement(plain(lo) + "–" + plain(hi)));
            }
            return first.named() ? capitalised(first.topic()) + ": " + text : text;
        }
    }

    static String prose() {
        return "Overall the responses broadly agree on the main trade-offs, though they weigh long-term risks differently.";
    }

    static String misshapen() {
        return "{\"summary\":\"The responses mostly agree.\",\"score\":7}";
    }

    static String synthesis(String lastUser) {
        return "(simulated final answer) Weighing the points the panel agreed on against where it split, the answer on "
                + subject(question(lastUser)) + " depends on context: start small, measure against a baseline, and revisit as evidence accrues.";
    }

    /** Bullets of each "## Response X" section, in label order. */
    static Map<String, List<String>> responses(String text) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> current = null;
        boolean inPanel = false;
        for (String line : text.split("\n")) {
            if (line.strip().equals(JUDGE_MARKER)) {
                inPanel = true;
                continue;
            }
            if (!inPanel) continue;
            Matcher m = RESPONSE_HEADING.matcher(line);
            if (m.matches()) {
                current = out.computeIfAbsent(m.group(1), k -> new ArrayList<>());
            } else if (line.startsWith("# ") || line.startsWith("## ")) {
                current = null;
            } else if (current != null && line.startsWith("- ")) {
                current.add(line.substring(2).strip());
            }
        }
        return out;
    }

    /** The question a prompt asks: its "# Question" section when it has one (the judge's and synthesis' prompts), else all of it. */
    static String question(String text) {
        int q = text.indexOf("# Question\n");
        if (q < 0) return text.strip();
        int end = text.indexOf("\n#", q + 11);
        return text.substring(q + 11, end < 0 ? text.length() : end).strip();
    }

    /**
     * The last user turn of a conversation as the judge's prompt shows it ("[user] ...", "[assistant] ..."): what the
     * panel answered, so the judge looks for the aspects of the same domain the panel chose from.
     */
    static String lastTurn(String question) {
        int at = question.lastIndexOf("[user] ");
        if (at < 0 || (at > 0 && question.charAt(at - 1) != '\n')) return question;
        int end = question.indexOf("\n\n[", at);
        return question.substring(at + 7, end < 0 ? question.length() : end).strip();
    }

    /** What the question is about, as a heading would quote it: its first sentence, shortened. */
    static String subject(String question) {
        String first = question.strip().split("(?<=[?.!])\\s+", 2)[0].replaceAll("\\s+", " ");
        if (first.isEmpty()) return "the question";
        if (first.length() > 90) first = first.substring(0, first.lastIndexOf(' ', 87) > 40 ? first.lastIndexOf(' ', 87) : 87) + "...";
        return "\"" + first + "\"";
    }

    /** Aspects in the order this prompt makes them salient: those the question names first, then the rest in a drawn order. */
    private static List<SimulatedDomains.Aspect> salience(SimulatedDomains.Domain domain, String question, long promptHash) {
        List<SimulatedDomains.Aspect> asked = new ArrayList<>();
        List<SimulatedDomains.Aspect> rest = new ArrayList<>();
        for (SimulatedDomains.Aspect a : domain.aspects()) (a.askedIn(question) ? asked : rest).add(a);
        SplittableRandom order = new SplittableRandom(promptHash);
        for (int i = rest.size() - 1; i > 0; i--) Collections.swap(rest, i, order.nextInt(i + 1));
        asked.addAll(rest);
        return asked;
    }

    private static int between(SplittableRandom random, SimulatedDomains.Stance stance) {
        return stance.lo() + random.nextInt(stance.hi() - stance.lo() + 1);
    }

    private static String withoutStop(String text) {
        String t = text.strip();
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }

    private static String plain(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static boolean hasLine(String text, String line) {
        for (String l : text.split("\n")) {
            if (l.strip().equals(line)) return true;
        }
        return false;
    }
}
