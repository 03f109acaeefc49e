package fusion.model.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.model.ChatCompletionBodies;
import fusion.model.FailureKind;
import fusion.model.ProviderConfig;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** What the HTTP batch APIs share: the provider's endpoints, limits, poll schedule, pricing and line bodies. */
abstract class HttpBatchApi implements BatchApi {
    /** The chat-completions endpoint every line of our batches targets, as OpenAI and OpenRouter name it. */
    static final String CHAT_ENDPOINT = "/v1/chat/completions";
    /** The metadata key a batch's label is sent under, where the provider keeps metadata. */
    static final String LABEL_KEY = "fusion_label";
    /** OpenAI's metadata values hold at most 512 characters. */
    static final int MAX_LABEL = 512;
    /** The largest page of {@code GET /batches} OpenAI serves. */
    static final int LIST_PAGE = 100;
    /**
     * How far back {@link #findLabelled} reads: a batch being adopted was submitted moments before a crash, and no batch
     * outlives its 24 h window; the page cap bounds the cost for an account with many batches.
     */
    static final int LIST_PAGES = 10;
    static final Duration LIST_HORIZON = Duration.ofHours(24);

    final BatchHttp http;
    final BatchCost cost;
    private final BatchLimits limits;
    private final PollSchedule schedule;

    /** Where this provider keeps its batches under the base URL: {@code /batches}, Anthropic's {@code /messages/batches}. */
    final String batchesPath;

    HttpBatchApi(ProviderConfig provider, HttpClient client, BatchRetry retry, BatchCost cost, BatchLimits limits, PollSchedule schedule) {
        this(provider, client, retry, cost, limits, schedule, BatchHttp.KeyHeader.BEARER, "/batches");
    }

    HttpBatchApi(ProviderConfig provider, HttpClient client, BatchRetry retry, BatchCost cost, BatchLimits limits, PollSchedule schedule,
                 BatchHttp.KeyHeader keyHeader, String batchesPath) {
        this.batchesPath = batchesPath;
        this.http = new BatchHttp(Objects.requireNonNull(provider, "provider"), Objects.requireNonNull(client, "client"),
                retry == null ? BatchRetry.DEFAULT : retry, keyHeader);
        this.cost = cost == null ? BatchCost.REPORTED_ONLY : cost;
        this.limits = limits;
        this.schedule = schedule;
    }

    @Override
    public String provider() {
        return http.provider().name();
    }

    @Override
    public BatchLimits limits() {
        return limits;
    }

    @Override
    public PollSchedule pollSchedule() {
        return schedule;
    }

    /** Refuses what the provider would: an empty or too large batch, mixed models, a repeated custom_id. */
    void check(String model, List<BatchLine> lines) {
        if (lines.isEmpty()) throw new IllegalArgumentException("a batch needs at least one line");
        if (lines.size() > limits.maxRequests()) {
            throw new IllegalArgumentException(lines.size() + " lines for " + provider() + ", over its " + limits.maxRequests()
                    + "-request batch limit; cut them with BatchLimits.chunks");
        }
        Set<String> ids = new HashSet<>();
        for (BatchLine line : lines) {
            if (!line.request().model().equals(model)) {
                throw new IllegalArgumentException("batch line " + line.customId() + " is for " + line.request().model()
                        + ", but the batch is for " + model + "; a batch holds one model");
            }
            if (!ids.add(line.customId())) throw new IllegalArgumentException("custom_id " + line.customId() + " appears twice in one batch");
        }
    }

    /** A line's chat-completions body, exactly as a synchronous call would post it, minus web tools, which no batch runs. */
    ObjectNode body(BatchLine line) {
        return ChatCompletionBodies.request(line.request().withServerTools(List.of()), http.provider(), http.json);
    }

    void checkBytes(long bytes) {
        if (bytes > limits.maxBytes()) {
            throw new IllegalArgumentException("the batch is " + bytes + " bytes, over " + provider() + "'s " + limits.maxBytes()
                    + "-byte limit; cut it with BatchLimits.chunks");
        }
    }

    /** Creates the batch from its JSON body, once its size is known to be within the limit. */
    SubmittedBatch create(String model, List<BatchLine> lines, ObjectNode batch) throws BatchException {
        byte[] bytes;
        try {
            bytes = http.json.writeValueAsBytes(batch);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the batch is not serialisable: " + e.getOriginalMessage(), e);
        }
        checkBytes(bytes.length);
        return create(model, lines, "application/json", HttpRequest.BodyPublishers.ofByteArray(bytes));
    }

    /** Creates the batch ({@code POST {batchesPath}}), never sent twice unless the provider proved it took nothing. */
    SubmittedBatch create(String model, List<BatchLine> lines, String contentType, HttpRequest.BodyPublisher body)
            throws BatchException {
        JsonNode answer = http.sendJson("submitting a batch of " + lines.size() + " for " + model,
                HttpRequest.newBuilder(http.uri(batchesPath)).header("Content-Type", contentType).POST(body), false);
        String id = answer.path("id").asText("");
        if (id.isBlank()) {
            throw new BatchException(FailureKind.INVALID_RESPONSE, null, provider() + " accepted a batch but named no id: " + answer);
        }
        return new SubmittedBatch(provider(), id, model, lines.stream().map(BatchLine::customId).toList());
    }

    static void checkLabel(String label) {
        if (label != null && (label.isBlank() || label.length() > MAX_LABEL)) {
            throw new IllegalArgumentException("a batch label must be 1 to " + MAX_LABEL + " characters: '" + label + "'");
        }
    }

    /**
     * The newest batch whose {@code metadata.fusion_label} is {@code label}, read from {@code GET /batches?limit=&after=}
     * (newest first): at most {@link #LIST_PAGES} pages, stopping at the first batch older than {@link #LIST_HORIZON}.
     * A failure to list is thrown (retryable where it is), never taken for "no such batch".
     */
    Optional<SubmittedBatch> findLabelled(String model, String label, List<String> customIds) throws BatchException {
        Objects.requireNonNull(label, "label");
        long oldest = Instant.now().minus(LIST_HORIZON).getEpochSecond();
        String after = null;
        for (int page = 0; page < LIST_PAGES; page++) {
            String query = "?limit=" + LIST_PAGE + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
            JsonNode list = http.sendJson("looking for batch " + label, HttpRequest.newBuilder(http.uri(batchesPath + query)).GET());
            for (JsonNode batch : list.path("data")) {
                if (label.equals(batch.path("metadata").path(LABEL_KEY).asText(null))) {
                    return Optional.of(new SubmittedBatch(provider(), batch.path("id").asText(), model, customIds));
                }
                if (batch.path("created_at").asLong(Long.MAX_VALUE) < oldest) return Optional.empty();
            }
            after = list.path("last_id").asText(null);
            if (!list.path("has_more").asBoolean(false) || after == null || after.isBlank()) return Optional.empty();
        }
        return Optional.empty();
    }

    @Override
    public BatchProgress poll(String batchId) throws BatchException {
        return progress(batchId, batch(batchId));
    }

    /** The batch object, {@code GET /batches/{id}}. */
    JsonNode batch(String batchId) throws BatchException {
        return http.sendJson("polling batch " + batchId, HttpRequest.newBuilder(http.uri(batchesPath + "/" + pathSegment(batchId))).GET());
    }

    /** Why the whole batch failed, in this provider's words, or null. */
    abstract String batchError(JsonNode batch);

    BatchProgress progress(String batchId, JsonNode batch) {
        JsonNode counts = batch.path("request_counts");
        return new BatchProgress(batchId, BatchStatus.fromWireName(batch.path("status").asText(null)), counts.path("total").asInt(0),
                counts.path("completed").asInt(0), counts.path("failed").asInt(0), batchError(batch));
    }

    static String pathSegment(String batchId) {
        return URLEncoder.encode(batchId, StandardCharsets.UTF_8);
    }
}
