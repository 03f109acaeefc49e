package fusion.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.schema.Analysis;
import fusion.schema.Contradiction;
import fusion.schema.PartialCoverage;
import fusion.schema.Stance;
import fusion.schema.UniqueInsight;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the judge's analysis JSON and maps "Response A"… back to model names. Judges without
 * structured output often wrap JSON in a code fence or a sentence; the object is dug out of that.
 * A missing key means nothing to report, but a reply with none of the five keys is the wrong shape.
 */
public final class AnalysisParser {
    public static final String NOT_VALID_JSON = "judge_not_valid_json";
    public static final String SCHEMA_MISMATCH = "judge_schema_mismatch";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> KEYS = List.of("consensus", "contradictions", "partial_coverage", "unique_insights", "blind_spots");

    private AnalysisParser() {}

    /** Either an analysis, or the judge_failure reason and a message saying what was wrong. */
    public record Parsed(Analysis analysis, String reason, String message) {
        static Parsed failed(String reason, String message) {
            return new Parsed(null, reason, message);
        }
    }

    /** Thrown inside the parser when the JSON has the wrong shape; the message names the path. */
    private static final class Mismatch extends RuntimeException {
        Mismatch(String message) {
            super(message, null, false, false);
        }
    }

    public static Parsed parse(String content, Map<String, String> labels) {
        JsonNode root = readObject(content);
        if (root == null) {
            return Parsed.failed(NOT_VALID_JSON, "the judge's reply holds no JSON object (it begins: " + preview(content) + ")");
        }
        if (KEYS.stream().noneMatch(root::has)) {
            return Parsed.failed(SCHEMA_MISMATCH, "the judge's JSON has none of " + KEYS + " (its keys: " + keys(root) + ")");
        }
        try {
            Analysis analysis = Analysis.newBuilder()
                    .setConsensus(strings(root, "consensus"))
                    .setContradictions(contradictions(root, labels))
                    .setPartialCoverage(partialCoverage(root, labels))
                    .setUniqueInsights(uniqueInsights(root, labels))
                    .setBlindSpots(strings(root, "blind_spots"))
                    .build();
            return new Parsed(analysis, null, null);
        } catch (Mismatch e) {
            return Parsed.failed(SCHEMA_MISMATCH, e.getMessage());
        }
    }

    private static JsonNode readObject(String content) {
        if (content == null) return null;
        String text = content.strip();
        JsonNode node = tryRead(text);
        if (node == null) {
            int fence = text.indexOf("```");
            if (fence >= 0) {
                int start = text.indexOf('\n', fence);
                int end = text.indexOf("```", fence + 3);
                if (start >= 0 && end > start) node = tryRead(text.substring(start + 1, end));
            }
        }
        if (node == null) {
            int first = text.indexOf('{');
            int last = text.lastIndexOf('}');
            if (first >= 0 && last > first) node = tryRead(text.substring(first, last + 1));
        }
        return node != null && node.isObject() ? node : null;
    }

    private static JsonNode tryRead(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            return null;
        }
    }

    private static List<String> strings(JsonNode root, String key) {
        List<String> out = new ArrayList<>();
        JsonNode v = array(root, key);
        for (int i = 0; i < v.size(); i++) out.add(text(v.get(i), key + "[" + i + "]"));
        return out;
    }

    private static List<Contradiction> contradictions(JsonNode root, Map<String, String> labels) {
        List<Contradiction> out = new ArrayList<>();
        JsonNode v = array(root, "contradictions");
        for (int i = 0; i < v.size(); i++) {
            String at = "contradictions[" + i + "]";
            JsonNode c = object(v.get(i), at);
            List<Stance> stances = new ArrayList<>();
            JsonNode s = array(c, "stances", at + ".stances");
            for (int j = 0; j < s.size(); j++) {
                String sAt = at + ".stances[" + j + "]";
                JsonNode stance = object(s.get(j), sAt);
                stances.add(new Stance(model(stance.get("model"), sAt + ".model", labels), text(stance.get("stance"), sAt + ".stance")));
            }
            out.add(new Contradiction(text(c.get("topic"), at + ".topic"), stances));
        }
        return out;
    }

    private static List<PartialCoverage> partialCoverage(JsonNode root, Map<String, String> labels) {
        List<PartialCoverage> out = new ArrayList<>();
        JsonNode v = array(root, "partial_coverage");
        for (int i = 0; i < v.size(); i++) {
            String at = "partial_coverage[" + i + "]";
            JsonNode p = object(v.get(i), at);
            JsonNode models = array(p, "models", at + ".models");
            List<String> named = new ArrayList<>();
            for (int j = 0; j < models.size(); j++) named.add(model(models.get(j), at + ".models[" + j + "]", labels));
            out.add(new PartialCoverage(named, text(p.get("point"), at + ".point")));
        }
        return out;
    }

    private static List<UniqueInsight> uniqueInsights(JsonNode root, Map<String, String> labels) {
        List<UniqueInsight> out = new ArrayList<>();
        JsonNode v = array(root, "unique_insights");
        for (int i = 0; i < v.size(); i++) {
            String at = "unique_insights[" + i + "]";
            JsonNode u = object(v.get(i), at);
            out.add(new UniqueInsight(model(u.get("model"), at + ".model", labels), text(u.get("insight"), at + ".insight")));
        }
        return out;
    }

    /** "Response B", "B" or "response b" → the model behind it; a panel model's own id is accepted as is. */
    private static String model(JsonNode node, String at, Map<String, String> labels) {
        String given = text(node, at).strip();
        if (labels.containsValue(given)) return given;
        String letter = given.toUpperCase(Locale.ROOT).startsWith("RESPONSE ") ? given.substring(9).strip() : given;
        String model = labels.get("Response " + letter.toUpperCase(Locale.ROOT));
        if (model == null) {
            throw new Mismatch(at + " is '" + given + "', which is none of " + labels.keySet().stream().sorted().toList());
        }
        return model;
    }

    private static JsonNode array(JsonNode parent, String key) {
        return array(parent, key, key);
    }

    private static JsonNode array(JsonNode parent, String key, String at) {
        JsonNode v = parent.get(key);
        if (v == null || v.isNull()) return JSON.createArrayNode();
        if (!v.isArray()) throw new Mismatch(at + " is " + v.getNodeType().name().toLowerCase(Locale.ROOT) + ", not an array");
        return v;
    }

    private static JsonNode object(JsonNode v, String at) {
        if (v == null || !v.isObject()) throw new Mismatch(at + " is not an object");
        return v;
    }

    private static String text(JsonNode v, String at) {
        if (v == null || !v.isTextual()) throw new Mismatch(at + " is missing or not a string");
        return v.asText();
    }

    private static String keys(JsonNode root) {
        List<String> names = new ArrayList<>();
        root.fieldNames().forEachRemaining(names::add);
        return String.join(", ", names);
    }

    private static String preview(String content) {
        String oneLine = content == null ? "" : content.strip().replaceAll("\\s+", " ");
        return "\"" + (oneLine.length() > 80 ? oneLine.substring(0, 80) + "…" : oneLine) + "\"";
    }
}
