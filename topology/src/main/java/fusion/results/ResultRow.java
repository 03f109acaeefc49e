package fusion.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A result as one flat row, for tables: the fields an analyst filters and sums on as columns, nested parts as the
 * JSON that {@link ResultJson} renders for them, and the whole result's JSON in {@code result_json}, so nothing is
 * lost. Every value is taken from that one rendering, so a result read from Avro and one read from its JSON line
 * give the same row. The Parquet results file and the Connect converter's flattened layout both have these columns.
 */
public final class ResultRow {
    /** What a column holds. */
    public enum Kind {
        /** text */
        TEXT,
        /** JSON text of a nested part */
        JSON,
        /** string → string map */
        MAP,
        INT,
        LONG,
        DOUBLE
    }

    /** @param optional whether the column is null where the result's JSON leaves the value out */
    public record Column(String name, Kind kind, boolean optional) {}

    /** Text columns, as the result's JSON has them. */
    private static final List<String> TEXT = List.of("failure_reason", "error", "judge_model", "final_model", "final_answer");
    /** Nested parts as JSON text. */
    private static final List<String> NESTED = List.of("analysis", "responses", "failed_models", "judge_failure", "judge_warnings", "sources");
    /** usage.total's counts, summed over every model call; null when the request made none. */
    private static final List<String> TOKENS = List.of("prompt_tokens", "completion_tokens", "reasoning_tokens");

    public static final List<Column> COLUMNS = columns();

    private ResultRow() {}

    private static List<Column> columns() {
        List<Column> columns = new java.util.ArrayList<>();
        columns.add(new Column("request_id", Kind.TEXT, false));
        columns.add(new Column("status", Kind.TEXT, false));
        TEXT.forEach(name -> columns.add(new Column(name, Kind.TEXT, true)));
        NESTED.forEach(name -> columns.add(new Column(name, Kind.JSON, true)));
        columns.add(new Column("metadata", Kind.MAP, false));
        columns.add(new Column("model_calls", Kind.INT, true));
        TOKENS.forEach(name -> columns.add(new Column(name, Kind.LONG, true)));
        columns.add(new Column("cost", Kind.DOUBLE, true));
        columns.add(new Column("total_ms", Kind.LONG, false));
        columns.add(new Column("result_json", Kind.TEXT, false));
        return List.copyOf(columns);
    }

    /**
     * The row of a result rendered by {@link ResultJson#toNode}, or read from its JSON line: column → value (String,
     * Integer, Long, Double, or a sorted {@code Map<String, String>} for {@code metadata}), in {@link #COLUMNS} order;
     * null where the column is optional and the result has no value.
     */
    public static Map<String, Object> of(ObjectNode json) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("request_id", json.path("request_id").asText());
        row.put("status", json.path("status").asText());
        TEXT.forEach(column -> row.put(column, json.hasNonNull(column) ? json.get(column).asText() : null));
        NESTED.forEach(column -> row.put(column, json.hasNonNull(column) ? json.get(column).toString() : null));
        Map<String, String> metadata = new TreeMap<>();
        json.path("metadata").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
        row.put("metadata", metadata);
        JsonNode total = json.path("usage").path("total");
        row.put("model_calls", total.isMissingNode() ? null : total.path("calls").asInt());
        TOKENS.forEach(column -> row.put(column, total.isMissingNode() ? null : total.path(column).asLong()));
        row.put("cost", total.hasNonNull("cost") ? total.get("cost").asDouble() : null);
        row.put("total_ms", json.path("timings").path("total_ms").asLong());
        row.put("result_json", json.toString());
        return row;
    }
}
