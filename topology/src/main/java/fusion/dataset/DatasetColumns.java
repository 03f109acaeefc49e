package fusion.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which columns of a table (CSV, Parquet) hold the prompt and the id, and how a row's cells become
 * the JSON object a request is read from: columns named as the spec's parameters are those
 * parameters, every other column goes to {@code metadata}, and a blank cell is absent (an empty list
 * cell too: in a table every row has the column, and an empty one is how a row leaves it out).
 *
 * @param prompt the prompt's column
 * @param id     the id's column; when a row has none there, its {@code request_id} column
 */
public record DatasetColumns(String prompt, String id) {
    public static final DatasetColumns DEFAULT = new DatasetColumns("prompt", "id");
    static final String FALLBACK_ID = "request_id";

    private static final ObjectReader JSON = new ObjectMapper().reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private enum Kind { TEXT, NUMBER, LIST }

    /** The parameters a column may set, in the order they are written. Ranges are the validator's job. */
    private static final Map<String, Kind> PARAMETERS = new LinkedHashMap<>();

    static {
        PARAMETERS.put("analysis_models", Kind.LIST);
        PARAMETERS.put("model", Kind.TEXT);
        PARAMETERS.put("final_model", Kind.TEXT);
        PARAMETERS.put("temperature", Kind.NUMBER);
        PARAMETERS.put("max_completion_tokens", Kind.NUMBER);
        PARAMETERS.put("max_tool_calls", Kind.NUMBER);
        PARAMETERS.put("tools", Kind.LIST);
        PARAMETERS.put("turn_id", Kind.TEXT);
        PARAMETERS.put("preset", Kind.TEXT);
        PARAMETERS.put("quorum", Kind.NUMBER);
        PARAMETERS.put("quorum_grace_ms", Kind.NUMBER);
    }

    /** A table without the prompt's column has no request in it: say so once, not once a row. */
    void requirePromptColumn(Path file, Collection<String> columns) throws DatasetException {
        if (!columns.contains(prompt)) {
            throw new DatasetException(file.getFileName() + " has no column '" + prompt + "' for the prompt; its columns are "
                    + String.join(", ", columns) + ". Name the prompt's column with --prompt-column");
        }
    }

    /**
     * A table row as a request's fields, or an unreadable row when it has no prompt.
     *
     * @param cells column → cell, in the table's order; a cell is text (CSV) or a typed value (Parquet)
     * @param where the file and the row, for messages: "questions.csv row 3 (line 5)"
     */
    public DatasetRow row(int number, String where, Map<String, JsonNode> cells) {
        Map<String, JsonNode> present = new LinkedHashMap<>();
        cells.forEach((column, cell) -> {
            boolean blank = cell == null || cell.isNull() || (cell.isTextual() && cell.asText().isBlank()) || (cell.isArray() && cell.isEmpty());
            if (!blank) present.put(column, cell);
        });
        if (!present.containsKey(prompt)) {
            return DatasetRow.unreadable("row", number, where + " has no prompt: its '" + prompt + "' cell is empty. "
                    + "Fill it in, or name the column that holds the prompt with --prompt-column");
        }
        ObjectNode fields = NODES.objectNode();
        JsonNode requestId = present.containsKey(id) ? present.remove(id) : present.remove(FALLBACK_ID);
        if (requestId != null) fields.put("request_id", requestId.asText().trim());
        fields.put("prompt", present.remove(prompt).asText());
        PARAMETERS.forEach((name, kind) -> {
            JsonNode cell = present.remove(name);
            if (cell != null) fields.set(name, parameter(kind, cell));
        });
        ObjectNode metadata = fields.putObject("metadata");
        // sorted, so that an id derived from a row's content does not change when its columns are reordered
        new TreeMap<>(present).forEach((column, cell) -> metadata.put(column, cell.isValueNode() ? cell.asText() : cell.toString()));
        return DatasetRow.readable("row", number, fields);
    }

    /**
     * A JSONL row under other names: the fields named as the prompt's and the id's columns become
     * {@code prompt} and {@code request_id}, unless the row has those already.
     */
    ObjectNode renamed(ObjectNode row) {
        move(row, prompt, "prompt");
        if (!id.equals("id")) move(row, id, FALLBACK_ID);
        return row;
    }

    private static void move(ObjectNode row, String from, String to) {
        if (from.equals(to) || row.hasNonNull(to) || !row.has(from)) return;
        row.set(to, row.remove(from));
    }

    /**
     * A cell as the parameter's JSON type. Text that is not of that type is kept as text, so that the
     * request's reader names the field and says what it must be.
     */
    private static JsonNode parameter(Kind kind, JsonNode cell) {
        if (!cell.isTextual()) return kind == Kind.TEXT && cell.isValueNode() ? TextNode.valueOf(cell.asText()) : cell;
        String text = cell.asText().trim();
        switch (kind) {
            case NUMBER: {
                JsonNode number = json(text);
                return number != null && number.isNumber() ? number : cell;
            }
            case LIST: {
                if (text.startsWith("[")) {
                    JsonNode array = json(text);
                    return array != null ? array : cell;
                }
                ArrayNode items = NODES.arrayNode();
                for (String item : text.split("[,;]")) {
                    if (!item.isBlank()) items.add(item.trim());
                }
                return items;
            }
            default:
                return TextNode.valueOf(text);
        }
    }

    /**
     * A cell's scalar value as JSON, as every reader of typed cells (Parquet, a Connect row) has it: numbers and
     * booleans as they are, decimals as plain numbers; null for anything else (text, lists, records, dates), which
     * each reader renders its own way.
     */
    public static JsonNode scalar(Object value) {
        if (value instanceof Integer i) return NODES.numberNode(i);
        if (value instanceof Long l) return NODES.numberNode(l);
        if (value instanceof Short s) return NODES.numberNode(s);
        if (value instanceof Byte b) return NODES.numberNode(b);
        if (value instanceof Float f) return NODES.numberNode(f);
        if (value instanceof Double d) return NODES.numberNode(d);
        if (value instanceof java.math.BigDecimal d) return NODES.numberNode(d);
        if (value instanceof Boolean b) return NODES.booleanNode(b);
        return null;
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
