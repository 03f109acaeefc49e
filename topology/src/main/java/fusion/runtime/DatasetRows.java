package fusion.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.intake.RequestFieldException;
import fusion.intake.RequestJson;
import fusion.results.FusionResults;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.topology.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dataset's rows as request records. A row that is no JSON object becomes an error result at
 * once; a row with a field of the wrong type is sent as JSON, and the pipeline answers it with
 * an invalid_request result naming the field. A repeated id is sent once.
 */
public final class DatasetRows {
    public static final String BATCH_ID = "batch_id";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DatasetRows() {}

    /** A request ready to produce. */
    public record Row(int line, String requestId, byte[] value) {}

    /** @param batchId when set, goes to every request's metadata as batch_id */
    public static Map<String, Row> read(Path input, String batchId, List<FusionResult> errorLines) throws IOException {
        Map<String, Row> rows = new LinkedHashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = reader.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    errorLines.add(errorLine(n, input.getFileName() + " line " + n + " is not valid JSON: " + e.getOriginalMessage()));
                    continue;
                }
                if (node == null || !node.isObject()) {
                    errorLines.add(errorLine(n, input.getFileName() + " line " + n + " is not a JSON object; each line is one request"));
                    continue;
                }
                Row row = row(n, (ObjectNode) node, batchId);
                rows.putIfAbsent(row.requestId(), row);
            }
        }
        return rows;
    }

    static Row row(int line, ObjectNode node, String batchId) throws IOException {
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
            return new Row(line, id, JSON.writeValueAsBytes(node));
        }
    }

    /** A row that is no request at all is answered at once, under the id line-N. */
    static FusionResult errorLine(int line, String message) {
        return FusionResults.invalid("line-" + line, null, message, System.currentTimeMillis());
    }
}
