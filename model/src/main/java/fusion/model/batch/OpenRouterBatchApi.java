package fusion.model.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.model.ProviderConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * OpenRouter's Batch API ({@code {baseUrl}/batches}, base {@code https://openrouter.ai/api/v1}; also served under
 * {@code /api/beta}), written from its quickstart and API reference:
 * <ul>
 *   <li>submit: {@code POST /batches} with {@code endpoint} and {@code model} before {@code requests} (the API
 *       stream-parses the body and answers 400 otherwise), each request {@code {custom_id, body}}; answers
 *       {@code 202} with {@code status: "validating"};</li>
 *   <li>poll: {@code GET /batches/{id}}: status, {@code request_counts}, {@code error.message} for a failed batch, and
 *       {@code results} inline once terminal;</li>
 *   <li>results: inline, or cursor-paginated from {@code GET /batches/{id}/results?limit=&cursor=} ({@code data},
 *       {@code has_more}, {@code next_cursor}).</li>
 * </ul>
 * There is no cancel endpoint ({@code DELETE /batches/{id}} only removes a terminal batch), so {@link #cancel} says no.
 * Nor is there batch metadata: the submit body ({@code BatchSubmitBody}) has no {@code metadata}, and the list
 * ({@code GET /batches}) shows none, so a label is not sent and {@link #find} cannot recognise a batch (see docs/BATCH.md).
 */
public final class OpenRouterBatchApi extends HttpBatchApi {
    /** The largest page {@code /results} serves. */
    static final int RESULTS_PAGE = 1000;

    public OpenRouterBatchApi(ProviderConfig provider, HttpClient client, BatchRetry retry, BatchCost cost) {
        super(provider, client, retry, cost, BatchLimits.OPENROUTER, PollSchedule.OPENROUTER);
    }

    @Override
    public SubmittedBatch submit(String model, List<BatchLine> lines) throws BatchException {
        check(model, lines);
        // a LinkedHashMap-backed ObjectNode keeps insertion order: endpoint and model go out before requests
        ObjectNode batch = http.json.createObjectNode();
        batch.put("endpoint", CHAT_ENDPOINT);
        batch.put("model", http.provider().wireModel(model));
        batch.put("completion_window", "24h");
        ArrayNode requests = batch.putArray("requests");
        for (BatchLine line : lines) requests.addObject().put("custom_id", line.customId()).set("body", body(line));
        return create(model, lines, batch);
    }

    @Override
    public BatchResults results(SubmittedBatch submitted) throws BatchException {
        String batchId = submitted.batchId();
        JsonNode batch = batch(batchId);
        BatchProgress progress = progress(batchId, batch);
        ResultLines lines = new ResultLines(submitted.model(), http.provider(), cost);
        JsonNode inline = batch.path("results");
        inline.forEach(lines::add);
        if (inline.size() < progress.total() && progress.status().mayHaveResults()) {
            // inline results may be cut short for a large batch: read the rest page by page (a line met twice counts once)
            String cursor = null;
            do {
                String query = "?limit=" + RESULTS_PAGE + (cursor == null ? "" : "&cursor=" + java.net.URLEncoder.encode(cursor, StandardCharsets.UTF_8));
                JsonNode page = http.sendJson("reading results of batch " + batchId,
                        HttpRequest.newBuilder(http.uri("/batches/" + pathSegment(batchId) + "/results" + query)).GET());
                page.path("data").forEach(lines::add);
                cursor = page.path("has_more").asBoolean(false) ? page.path("next_cursor").asText(null) : null;
            } while (cursor != null && !cursor.isBlank());
        }
        return lines.results(batchId, progress.status(), submitted.customIds());
    }

    /**
     * Always empty: OpenRouter lists batches but keeps no metadata to match a label against, and matching on model and
     * size could adopt another chunk's batch. A crash between its acceptance and the caller recording the id stays open.
     */
    @Override
    public Optional<SubmittedBatch> find(String model, String label, List<String> customIds) {
        return Optional.empty();
    }

    @Override
    public boolean cancel(String batchId) {
        return false;
    }

    @Override
    String batchError(JsonNode batch) {
        JsonNode error = batch.path("error");
        return error.isObject() ? error.path("message").asText(null) : null;
    }
}
