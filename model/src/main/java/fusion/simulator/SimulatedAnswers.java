package fusion.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
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
 * of the model and the prompt. Panel answers to one prompt share some points, so the judge's
 * analysis has real consensus and real differences to report.
 */
final class SimulatedAnswers {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String JUDGE_MARKER = "# Panel responses";
    static final String SYNTHESIS_MARKER = "# Analysis";
    private static final Pattern RESPONSE_HEADING = Pattern.compile("^## (Response [A-H])\\s*$");
    private static final Pattern WORD = Pattern.compile("[A-Za-z][A-Za-z-]{3,}");

    private static final List<String> POINTS = List.of(
            "The evidence on %s is mixed, so conclusions depend on context and assumptions.",
            "Costs of %s are front-loaded while most benefits arrive later.",
            "Measuring outcomes of %s requires a clear baseline and a control group.",
            "Regulation shapes how %s plays out more than technology does.",
            "Second-order effects of %s are often larger than the first-order ones.",
            "Small pilots of %s reduce risk before a full commitment.",
            "Expert opinion on %s splits mainly over how to weigh long-term risks.",
            "The strongest case for %s rests on scale; at small scale it rarely pays off.",
            "Distributional effects of %s matter: the winners and losers differ.",
            "Data quality limits what anyone can claim about %s with confidence.",
            "Failure modes of %s tend to be operational rather than conceptual.",
            "Historical precedents for %s suggest adoption is slower than forecast.");

    private SimulatedAnswers() {}

    static boolean isSynthesis(String lastUser) {
        return hasLine(lastUser, SYNTHESIS_MARKER);
    }

    static boolean isJudge(String lastUser) {
        return hasLine(lastUser, JUDGE_MARKER) && lastUser.contains("## Response A");
    }

    /** A panel answer: a recognisable header, two points every model makes and one to three of its own. */
    static String panel(String model, String lastUser, long promptHash, long modelHash) {
        String topic = topic(lastUser);
        SplittableRandom shared = new SplittableRandom(promptHash);
        SplittableRandom own = new SplittableRandom(modelHash);
        Set<Integer> picks = new LinkedHashSet<>();
        while (picks.size() < 2) picks.add(shared.nextInt(POINTS.size()));
        int extra = 1 + own.nextInt(3);
        while (picks.size() < 2 + extra) picks.add(own.nextInt(POINTS.size()));
        StringBuilder out = new StringBuilder("(simulated answer from ").append(model).append(")\n");
        for (int i : picks) out.append("- ").append(String.format(Locale.ROOT, POINTS.get(i), topic)).append('\n');
        return out.toString().strip();
    }

    /** The analysis a careful judge would write from the bullets of each labelled response. */
    static String judge(String lastUser) {
        Map<String, List<String>> responses = responses(lastUser);
        Map<String, List<String>> holders = new LinkedHashMap<>();
        responses.forEach((label, bullets) -> bullets.forEach(b -> holders.computeIfAbsent(b, k -> new ArrayList<>()).add(label)));
        int n = responses.size();
        ObjectNode out = JSON.createObjectNode();
        ArrayNode consensus = out.putArray("consensus");
        ArrayNode contradictions = out.putArray("contradictions");
        ArrayNode partial = out.putArray("partial_coverage");
        ArrayNode unique = out.putArray("unique_insights");
        ArrayNode blind = out.putArray("blind_spots");
        holders.forEach((point, labels) -> {
            if (labels.size() == n || (labels.size() >= 2 && labels.size() * 2 > n)) {
                consensus.add(point);
            } else if (labels.size() >= 2) {
                ObjectNode entry = partial.addObject();
                labels.forEach(entry.putArray("models")::add);
                entry.put("point", point);
            } else if (n > 1) {
                unique.addObject().put("model", labels.get(0)).put("insight", point);
            }
        });
        List<String> labels = new ArrayList<>(responses.keySet());
        if (labels.size() >= 2) {
            ObjectNode c = contradictions.addObject().put("topic", "how much weight to give long-term risks");
            ArrayNode stances = c.putArray("stances");
            stances.addObject().put("model", labels.get(0)).put("stance", "long-term risks dominate the decision");
            stances.addObject().put("model", labels.get(1)).put("stance", "near-term costs and benefits dominate the decision");
        }
        blind.add("None of the responses quantified the uncertainty behind their claims.");
        return out.toString();
    }

    static String prose() {
        return "Overall the responses broadly agree on the main trade-offs, though they weigh long-term risks differently.";
    }

    static String misshapen() {
        return "{\"summary\":\"The responses mostly agree.\",\"score\":7}";
    }

    static String synthesis(String lastUser) {
        return "(simulated final answer) Weighing the points the panel agreed on against where it split, the answer on "
                + topic(lastUser) + " depends on context: start small, measure against a baseline, and revisit as evidence accrues.";
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

    /** The question's longest word stands in for its topic. */
    static String topic(String text) {
        String question = text;
        int q = text.indexOf("# Question\n");
        if (q >= 0) {
            int end = text.indexOf("\n#", q + 11);
            question = text.substring(q + 11, end < 0 ? text.length() : end);
        }
        String best = "the question";
        Matcher m = WORD.matcher(question);
        while (m.find()) {
            if (best.equals("the question") || m.group().length() > best.length()) best = m.group();
        }
        return best.toLowerCase(Locale.ROOT);
    }

    private static boolean hasLine(String text, String line) {
        for (String l : text.split("\n")) {
            if (l.strip().equals(line)) return true;
        }
        return false;
    }
}
