package fusion.model.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.model.FailureKind;
import fusion.model.ProviderConfig;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * OpenAI's Batch API, from its API reference and batch guide:
 * <ul>
 *   <li>submit: upload the lines as a JSONL file ({@code POST /files}, multipart, {@code purpose=batch}), each line
 *       {@code {custom_id, method: "POST", url: "/v1/chat/completions", body}}; then {@code POST /batches} with
 *       {@code input_file_id}, {@code endpoint} and {@code completion_window: "24h"};</li>
 *   <li>poll: {@code GET /batches/{id}}: status, {@code request_counts}, {@code errors.data[]} for a failed batch;</li>
 *   <li>results: {@code output_file_id} and {@code error_file_id}, each read from {@code GET /files/{id}/content} as JSONL;</li>
 *   <li>cancel: {@code POST /batches/{id}/cancel} (status {@code cancelling}, then {@code cancelled});</li>
 *   <li>label: sent as {@code metadata: {"fusion_label": label}} on create; {@link #find} lists {@code GET /batches}
 *       (newest first, {@code limit}, {@code after}) and matches it.</li>
 * </ul>
 */
public final class OpenAiBatchApi extends HttpBatchApi {
    public OpenAiBatchApi(ProviderConfig provider, HttpClient client, BatchRetry retry, BatchCost cost) {
        super(provider, client, retry, cost, BatchLimits.OPENAI, PollSchedule.OPENAI);
    }

    @Override
    public SubmittedBatch submit(String model, List<BatchLine> lines) throws BatchException {
        return submit(model, lines, null);
    }

    @Override
    public SubmittedBatch submit(String model, List<BatchLine> lines, String label) throws BatchException {
        check(model, lines);
        checkLabel(label);
        StringBuilder jsonl = new StringBuilder();
        try {
            for (BatchLine line : lines) {
                ObjectNode l = http.json.createObjectNode().put("custom_id", line.customId()).put("method", "POST").put("url", CHAT_ENDPOINT);
                l.set("body", body(line));
                jsonl.append(http.json.writeValueAsString(l)).append('\n');
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a batch line is not serialisable: " + e.getOriginalMessage(), e);
        }
        byte[] file = jsonl.toString().getBytes(StandardCharsets.UTF_8);
        checkBytes(file.length);
        // an upload sent twice only leaves an unused file behind, so it may be retried like a read
        String boundary = "fusion-" + UUID.randomUUID();
        JsonNode uploaded = http.sendJson("uploading the input file of a batch for " + model, HttpRequest.newBuilder(http.uri("/files"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(multipart(boundary, file))));
        String fileId = uploaded.path("id").asText("");
        if (fileId.isBlank()) throw new BatchException(FailureKind.INVALID_RESPONSE, null, "OpenAI stored the batch file but named no id: " + uploaded);
        ObjectNode create = http.json.createObjectNode().put("input_file_id", fileId).put("endpoint", CHAT_ENDPOINT).put("completion_window", "24h");
        if (label != null) create.putObject("metadata").put(LABEL_KEY, label);
        return create(model, lines, "application/json", HttpRequest.BodyPublishers.ofString(create.toString()));
    }

    @Override
    public Optional<SubmittedBatch> find(String model, String label, List<String> customIds) throws BatchException {
        return findLabelled(model, label, customIds);
    }

    @Override
    public BatchResults results(SubmittedBatch submitted) throws BatchException {
        JsonNode batch = batch(submitted.batchId());
        BatchStatus status = progress(submitted.batchId(), batch).status();
        ResultLines lines = new ResultLines(submitted.model(), http.provider(), cost);
        for (String file : List.of("output_file_id", "error_file_id")) {
            String fileId = batch.path(file).asText("");
            if (fileId.isBlank() || batch.path(file).isNull()) continue;
            String content = http.send("reading " + file.replace("_id", "") + " " + fileId + " of batch " + submitted.batchId(),
                    HttpRequest.newBuilder(http.uri("/files/" + pathSegment(fileId) + "/content")).GET(), true);
            for (String line : content.split("\n")) {
                if (line.isBlank()) continue;
                try {
                    lines.add(http.json.readTree(line));
                } catch (JsonProcessingException e) {
                    // one unreadable line leaves that custom_id missing; the others stand
                    continue;
                }
            }
        }
        return lines.results(submitted.batchId(), status, submitted.customIds());
    }

    @Override
    public boolean cancel(String batchId) throws BatchException {
        http.sendJson("cancelling batch " + batchId, HttpRequest.newBuilder(http.uri("/batches/" + pathSegment(batchId) + "/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        return true;
    }

    @Override
    String batchError(JsonNode batch) {
        JsonNode first = batch.path("errors").path("data").path(0);
        return first.isObject() ? first.path("message").asText(null) : null;
    }

    private static byte[] multipart(String boundary, byte[] file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"batch.jsonl\"\r\n"
                + "Content-Type: application/jsonl\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(file);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
