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
 * An entry that is invalid (a label no answer has, a missing string) is dropped and named in the
 * warnings; the rest is kept. The analysis is given up only when nothing valid is left of it.
 */
public final class AnalysisParser {
    public static final String NOT_VALID_JSON = "judge_not_valid_json";
    public static final String SCHEMA_MISMATCH = "judge_schema_mismatch";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> KEYS = List.of("consensus", "contradictions", "partial_coverage", "unique_insights", "blind_spots");

    private AnalysisParser() {}

    /**
     * Either an analysis, with what was dropped from it ({@code warnings}, empty when nothing was), or the judge_failure
     * reason and a message saying what was wrong.
     */
    public record Parsed(Analysis analysis, List<String> warnings, String reason, String message) {
        static Parsed failed(String reason, String message) {
            return new Parsed(null, List.of(), reason, message);
        }
    }

    /** Thrown inside the parser when one entry has the wrong shape; the message names its path. */
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
        List<String> dropped = new ArrayList<>();
        Analysis analysis = Analysis.newBuilder()
                .setConsensus(entries(root, "consensus", dropped, (v, at) -> text(v, at)))
                .setContradictions(entries(root, "contradictions", dropped, (v, at) -> contradiction(v, at, labels, dropped)))
                .setPartialCoverage(entries(root, "partial_coverage", dropped, (v, at) -> partialCoverage(v, at, labels, dropped)))
                .setUniqueInsights(entries(root, "unique_insights", dropped, (v, at) -> uniqueInsight(v, at, labels)))
                .setBlindSpots(entries(root, "blind_spots", dropped, (v, at) -> text(v, at)))
                .build();
        boolean empty = analysis.getConsensus().isEmpty() && analysis.getContradictions().isEmpty() && analysis.getPartialCoverage().isEmpty()
                && analysis.getUniqueInsights().isEmpty() && analysis.getBlindSpots().isEmpty();
        if (empty && !dropped.isEmpty()) {
            return Parsed.failed(SCHEMA_MISMATCH, "nothing valid is left of the judge's analysis: " + String.join("; ", dropped));
        }
        return new Parsed(analysis, List.copyOf(dropped), null, null);
    }

    /** How one entry of a list is read; a {@link Mismatch} drops it. */
    private interface Entry<T> {
        T read(JsonNode value, String at);
    }

    /** Every valid entry of {@code root[key]}, the rest named in {@code dropped}; a key that is not an array drops as a whole. */
    private static <T> List<T> entries(JsonNode root, String key, List<String> dropped, Entry<T> entry) {
        List<T> out = new ArrayList<>();
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) return out;
        if (!v.isArray()) {
            dropped.add(key + " is " + v.getNodeType().name().toLowerCase(Locale.ROOT) + ", not an array");
            return out;
        }
        for (int i = 0; i < v.size(); i++) {
            String at = key + "[" + i + "]";
            try {
                T read = entry.read(v.get(i), at);
                if (read != null) out.add(read);
            } catch (Mismatch e) {
                dropped.add(e.getMessage() + ": dropped");
            }
        }
        return out;
    }

    /**
     * A contradiction keeps its valid stances. One left with fewer than two after a stance was dropped (the other side
     * named a response that does not exist) is no contradiction between real answers, and is dropped whole.
     */
    private static Contradiction contradiction(JsonNode v, String at, Map<String, String> labels, List<String> dropped) {
        JsonNode c = object(v, at);
        String topic = text(c.get("topic"), at + ".topic");
        List<String> stanceWarnings = new ArrayList<>();
        List<Stance> stances = entries(c, "stances", stanceWarnings, (s, sAt) -> {
            JsonNode stance = object(s, sAt);
            return new Stance(model(stance.get("model"), sAt + ".model", labels), text(stance.get("stance"), sAt + ".stance"));
        });
        stanceWarnings.replaceAll(w -> at + "." + w);
        if (!stanceWarnings.isEmpty() && stances.size() < 2) {
            throw new Mismatch(String.join("; ", stanceWarnings).replace(": dropped", "") + ", leaving " + stances.size()
                    + " stance" + (stances.size() == 1 ? "" : "s") + " in " + at);
        }
        dropped.addAll(stanceWarnings);
        return new Contradiction(topic, stances);
    }

    /** A point keeps the models that exist; with none left it is dropped. */
    private static PartialCoverage partialCoverage(JsonNode v, String at, Map<String, String> labels, List<String> dropped) {
        JsonNode p = object(v, at);
        String point = text(p.get("point"), at + ".point");
        List<String> modelWarnings = new ArrayList<>();
        List<String> named = entries(p, "models", modelWarnings, (m, mAt) -> model(m, mAt, labels));
        modelWarnings.replaceAll(w -> at + "." + w);
        if (named.isEmpty() && !modelWarnings.isEmpty()) {
            throw new Mismatch(String.join("; ", modelWarnings).replace(": dropped", "") + ", leaving no model in " + at);
        }
        dropped.addAll(modelWarnings);
        return new PartialCoverage(named, point);
    }

    private static UniqueInsight uniqueInsight(JsonNode v, String at, Map<String, String> labels) {
        JsonNode u = object(v, at);
        return new UniqueInsight(model(u.get("model"), at + ".model", labels), text(u.get("insight"), at + ".insight"));
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
