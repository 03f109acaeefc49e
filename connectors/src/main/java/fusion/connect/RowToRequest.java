package fusion.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.dataset.DatasetColumns;
import fusion.dataset.DatasetRow;
import fusion.intake.Cancellations;
import fusion.intake.RequestFieldException;
import fusion.intake.RequestJson;
import fusion.intake.RequestValidator;
import fusion.schema.FusionRequest;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Turns a row from any source connector (a Struct, or a Map from a schemaless one) into a FusionRequest keyed by its
 * request id, as {@code fusion run --prompt-column} reads a table: the prompt's and the id's columns are named by
 * configuration, columns named as the spec's parameters are those parameters, and every other column (or only those
 * {@value #METADATA_COLUMNS} lists) goes to {@code metadata}, as text. A row without an id gets one derived from its
 * content, the same on every read.
 *
 * <p>A row that holds no request (no prompt, a parameter cell of the wrong type) is not dropped: it becomes a
 * request that says why under the metadata key {@value RequestValidator#ROW_PROBLEM}, which the pipeline answers
 * with an invalid_request result naming the row and the column.
 */
public final class RowToRequest<R extends ConnectRecord<R>> implements Transformation<R> {
    public static final String PROMPT_COLUMN = "prompt.column";
    public static final String ID_COLUMN = "id.column";
    public static final String METADATA_COLUMNS = "metadata.columns";
    public static final String PRESET = "preset";
    public static final String BATCH_ID = "batch.id";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(PROMPT_COLUMN, ConfigDef.Type.STRING, "prompt", new ConfigDef.NonEmptyString(), ConfigDef.Importance.HIGH,
                    "the column that holds the prompt, as fusion run's --prompt-column")
            .define(ID_COLUMN, ConfigDef.Type.STRING, "id", new ConfigDef.NonEmptyString(), ConfigDef.Importance.HIGH,
                    "the column that holds the request id (else request_id), as --id-column; a row without one gets an id "
                            + "derived from its content, the same on a rerun")
            .define(METADATA_COLUMNS, ConfigDef.Type.LIST, "", ConfigDef.Importance.MEDIUM,
                    "the columns copied to the request's metadata (and so to its result); empty: every column that is not "
                            + "the prompt, the id or a request parameter")
            .define(PRESET, ConfigDef.Type.STRING, null, ConfigDef.Importance.LOW,
                    "the panel and judge of rows that name no preset, as --preset")
            .define(BATCH_ID, ConfigDef.Type.STRING, null, ConfigDef.Importance.LOW,
                    "a batch id put in every request's metadata as batch_id, for fusion status, collect and cancel");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final AvroStructs STRUCTS = new AvroStructs(SpecificData.getForClass(FusionRequest.class));
    private static final org.apache.avro.Schema REQUEST = FusionRequest.getClassSchema();
    /** The Connect schema of the requests this writes: FusionConverter writes them as Avro. */
    public static final Schema REQUEST_SCHEMA = STRUCTS.schema(REQUEST);

    private DatasetColumns columns;
    private List<String> metadataColumns;
    private String preset;
    private String batchId;

    @Override
    public ConfigDef config() {
        return CONFIG;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        AbstractConfig config = new AbstractConfig(CONFIG, configs, false);
        columns = new DatasetColumns(config.getString(PROMPT_COLUMN).strip(), config.getString(ID_COLUMN).strip());
        metadataColumns = config.getList(METADATA_COLUMNS).stream().map(String::strip).filter(c -> !c.isEmpty()).toList();
        preset = blankToNull(config.getString(PRESET));
        batchId = blankToNull(config.getString(BATCH_ID));
    }

    @Override
    public R apply(R record) {
        if (record.value() == null) return record; // a tombstone is no row; it passes untouched
        Map<String, JsonNode> cells = cells(record);
        String where = where(record);
        DatasetRow row = columns.row(0, where, cells);
        FusionRequest request = row.problem() != null ? withoutPrompt(where, cells) : request(where, row.fields());
        Struct value = (Struct) STRUCTS.toConnect(REQUEST, request);
        return record.newRecord(record.topic(), record.kafkaPartition(), Schema.STRING_SCHEMA, request.getRequestId(),
                REQUEST_SCHEMA, value, record.timestamp(), record.headers());
    }

    /** A row's columns as JSON cells, in the row's order; a null cell is absent. */
    private static Map<String, JsonNode> cells(ConnectRecord<?> record) {
        Map<String, JsonNode> cells = new LinkedHashMap<>();
        if (record.value() instanceof Struct struct) {
            for (Field f : struct.schema().fields()) {
                Object v = struct.get(f);
                cells.put(f.name(), v == null ? null : ConnectJson.of(v, f.schema()));
            }
        } else if (record.value() instanceof Map<?, ?> map) {
            map.forEach((k, v) -> cells.put(String.valueOf(k), v == null ? null : ConnectJson.of(v, null)));
        } else {
            throw new DataException("RowToRequest takes a row, a Struct or a Map, from " + where(record) + "; it got a "
                    + record.value().getClass().getSimpleName() + ". For JSON request lines, use FusionConverter (fusion.record=request) "
                    + "without this SMT: it writes them as they are");
        }
        return cells;
    }

    private FusionRequest request(String where, ObjectNode fields) {
        keepMetadata(metadata(fields));
        if (preset != null && !fields.hasNonNull("preset")) fields.put("preset", preset);
        // the id is derived before the batch id is added, so that the same row is the same request in every batch
        String id = RequestJson.idOf(fields);
        if (!fields.hasNonNull("request_id")) fields.put("request_id", id);
        if (batchId != null) metadata(fields).put(Cancellations.BATCH_ID, batchId);
        try {
            return RequestJson.parse(fields);
        } catch (RequestFieldException e) {
            return refused(id, where + ": " + e.getMessage(), metadata(fields));
        }
    }

    /** A row with no prompt, answered under its own id when it has one, else under one derived from its content. */
    private FusionRequest withoutPrompt(String where, Map<String, JsonNode> cells) {
        ObjectNode row = NODES.objectNode();
        cells.forEach((column, cell) -> {
            if (cell != null) row.set(column, cell);
        });
        JsonNode own = present(cells.get(columns.id())) ? cells.get(columns.id()) : cells.get("request_id");
        String id = present(own) ? own.asText().strip() : RequestJson.deriveId(row);
        String problem = !cells.containsKey(columns.prompt())
                ? where + " has no column '" + columns.prompt() + "' for the prompt; its columns are " + String.join(", ", cells.keySet())
                        + ". Name the prompt's column with " + PROMPT_COLUMN
                : where + " has no prompt: its '" + columns.prompt() + "' cell is empty. Fill it in, or name the column that holds "
                        + "the prompt with " + PROMPT_COLUMN;
        ObjectNode metadata = NODES.objectNode();
        new TreeMap<>(cells).forEach((column, cell) -> {
            if (present(cell) && !column.equals(columns.prompt()) && !column.equals(columns.id())) {
                metadata.put(column, cell.isValueNode() ? cell.asText() : cell.toString());
            }
        });
        keepMetadata(metadata);
        if (batchId != null) metadata.put(Cancellations.BATCH_ID, batchId);
        return refused(id, problem, metadata);
    }

    /** A request the pipeline answers invalid_request with {@code problem}, keeping the row's metadata. */
    private static FusionRequest refused(String id, String problem, ObjectNode metadata) {
        Map<String, String> kept = new HashMap<>();
        if (metadata != null) metadata.fields().forEachRemaining(e -> kept.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
        kept.put(RequestValidator.ROW_PROBLEM, problem);
        return FusionRequest.newBuilder().setRequestId(id).setMetadata(kept).build();
    }

    /** With {@value #METADATA_COLUMNS} set, only those columns stay in metadata (the batch id is added after). */
    private void keepMetadata(ObjectNode metadata) {
        if (!metadataColumns.isEmpty()) metadata.retain(metadataColumns);
    }

    private static ObjectNode metadata(ObjectNode fields) {
        return fields.get("metadata") instanceof ObjectNode metadata ? metadata : fields.putObject("metadata");
    }

    private static boolean present(JsonNode cell) {
        return cell != null && !cell.isNull() && !(cell.isTextual() && cell.asText().isBlank());
    }

    /** Where a row came from, for messages: a source's partition and offset, or a topic's. */
    private static String where(ConnectRecord<?> record) {
        if (record instanceof SourceRecord s) {
            return "the row at " + (s.sourceOffset() == null ? "" : s.sourceOffset()) + (s.sourcePartition() == null ? "" : " of " + s.sourcePartition());
        }
        if (record instanceof SinkRecord s) return "the row at " + s.topic() + "-" + s.kafkaPartition() + " offset " + s.kafkaOffset();
        return "the row for topic " + record.topic();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    @Override
    public void close() {}
}
