package fusion.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.dataset.Dataset;
import fusion.intake.RequestFieldException;
import fusion.intake.RequestJson;
import fusion.results.FusionResults;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.topology.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dataset's rows as request records, whatever the file's format. A row that is no request at all
 * (a JSONL line that is no JSON object, a CSV row without a prompt) becomes an error result at once;
 * a row with a field of the wrong type is sent as JSON, and the pipeline answers it with an
 * invalid_request result naming the field. A repeated id is sent once.
 */
public final class DatasetRows {
    /** The metadata key of a request's batch: the one cancellation looks up. */
    public static final String BATCH_ID = fusion.intake.Cancellations.BATCH_ID;

    private DatasetRows() {}

    /** A request ready to produce. */
    public record Row(int line, String requestId, byte[] value) {}

    /** The file read as its extension says, with the default columns. */
    public static Map<String, Row> read(Path input, String batchId, List<FusionResult> unreadable) throws IOException {
        return read(Dataset.of(input), batchId, unreadable);
    }

    /**
     * @param batchId    when set, goes to every request's metadata as batch_id
     * @param unreadable receives the error result of every row that is no request
     */
    public static Map<String, Row> read(Dataset dataset, String batchId, List<FusionResult> unreadable) throws IOException {
        Map<String, Row> rows = new LinkedHashMap<>();
        dataset.format().reader().read(dataset.file(), dataset.columns(), r -> {
            if (r.problem() != null) {
                unreadable.add(FusionResults.invalid(r.placeId(), null, r.problem(), System.currentTimeMillis()));
                return;
            }
            ObjectNode fields = r.fields();
            // Before the id is derived: the same question under another panel is another request.
            if (dataset.preset() != null && !fields.hasNonNull("preset")) fields.put("preset", dataset.preset());
            Row row = row(r.number(), fields, batchId);
            rows.putIfAbsent(row.requestId(), row);
        });
        return rows;
    }

    static Row row(int line, ObjectNode node, String batchId) {
        String id = RequestJson.idOf(node);
        if (batchId != null) {
            JsonNode metadata = node.get("metadata");
            if (metadata == null || metadata.isNull()) metadata = node.putObject("metadata");
            if (metadata.isObject()) ((ObjectNode) metadata).put(BATCH_ID, batchId);
            node.put("request_id", id); // the id derived from content must not change with the batch id
        }
        try {
            FusionRequest request = RequestJson.parse(node);
            return new Row(line, request.getRequestId(), Topics.REQUEST.encode(request));
        } catch (RequestFieldException e) {
            return new Row(line, id, node.toString().getBytes(StandardCharsets.UTF_8));
        }
    }
}
