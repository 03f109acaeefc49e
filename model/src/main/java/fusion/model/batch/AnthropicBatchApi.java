package fusion.model.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.model.ChatCompletionBodies;
import fusion.model.ChatMessage;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.FailureKind;
import fusion.model.ProviderConfig;
import fusion.model.Usage;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Anthropic's Message Batches API, from its API reference ({@code {baseUrl}/messages/batches}, base
 * {@code https://api.anthropic.com/v1}; key in {@code x-api-key}, {@code anthropic-version: 2023-06-01}):
 * <ul>
 *   <li>submit: {@code POST /messages/batches} with {@code requests: [{custom_id, params}]}, {@code params} a Messages
 *       request (system apart, {@code max_tokens} required); custom_ids must match {@code ^[a-zA-Z0-9_-]{1,64}$};</li>
 *   <li>poll: {@code GET /messages/batches/{id}}: {@code processing_status} ({@code in_progress}, {@code canceling},
 *       {@code ended}) and {@code request_counts} (processing, succeeded, errored, canceled, expired);</li>
 *   <li>results: JSONL from {@code GET /messages/batches/{id}/results}, each {@code {custom_id, result: {type, message | error}}};
 *       {@code canceled} and {@code expired} lines are reported missing, to be sent again;</li>
 *   <li>cancel: {@code POST /messages/batches/{id}/cancel}.</li>
 * </ul>
 * {@code response_format} is not sent: the Messages API has no chat-completions {@code json_schema}.
 * A batch has no metadata (the create body holds only {@code requests}; a request's {@code params.metadata} is the
 * Messages API's {@code user_id}), so a label is not sent and {@link #find} cannot recognise a batch.
 */
public final class AnthropicBatchApi extends HttpBatchApi {
    /** {@code max_tokens} is required by the Messages API; used when a request sets no {@code max_completion_tokens}. */
    static final int DEFAULT_MAX_TOKENS = 4096;
    private static final Pattern CUSTOM_ID = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    public AnthropicBatchApi(ProviderConfig provider, HttpClient client, BatchRetry retry, BatchCost cost) {
        super(provider, client, retry, cost, BatchLimits.ANTHROPIC, PollSchedule.ANTHROPIC, BatchHttp.KeyHeader.ANTHROPIC, "/messages/batches");
    }

    @Override
    public SubmittedBatch submit(String model, List<BatchLine> lines) throws BatchException {
        check(model, lines);
        ObjectNode batch = http.json.createObjectNode();
        ArrayNode requests = batch.putArray("requests");
        for (BatchLine line : lines) {
            if (!CUSTOM_ID.matcher(line.customId()).matches()) {
                throw new IllegalArgumentException("custom_id '" + line.customId() + "' is not accepted by Anthropic: use 1 to 64 letters, digits, '_' or '-'");
            }
            requests.addObject().put("custom_id", line.customId()).set("params", params(line.request()));
        }
        return create(model, lines, batch);
    }

    /** A Messages request: system messages go to {@code system}, the rest stay in order. */
    private ObjectNode params(ChatRequest request) {
        ObjectNode p = http.json.createObjectNode().put("model", http.provider().wireModel(request.model()))
                .put("max_tokens", request.maxCompletionTokens() == null ? DEFAULT_MAX_TOKENS : request.maxCompletionTokens());
        StringBuilder system = new StringBuilder();
        ArrayNode messages = http.json.createArrayNode();
        for (ChatMessage m : request.messages()) {
            if (m.role().equals("system")) system.append(system.isEmpty() ? "" : "\n\n").append(m.content());
            else messages.addObject().put("role", m.role()).put("content", m.content());
        }
        if (!system.isEmpty()) p.put("system", system.toString());
        p.set("messages", messages);
        if (request.temperature() != null) p.put("temperature", request.temperature());
        if (request.reasoningMaxTokens() != null) p.putObject("thinking").put("type", "enabled").put("budget_tokens", request.reasoningMaxTokens());
        return p;
    }

    @Override
    public BatchResults results(SubmittedBatch submitted) throws BatchException {
        BatchStatus status = poll(submitted.batchId()).status();
        ResultLines lines = new ResultLines(submitted.model(), http.provider(), cost);
        if (status.mayHaveResults()) {
            String content = http.send("reading results of batch " + submitted.batchId(),
                    HttpRequest.newBuilder(http.uri(batchesPath + "/" + pathSegment(submitted.batchId()) + "/results")).GET(), true);
            for (String raw : content.split("\n")) {
                if (raw.isBlank()) continue;
                JsonNode line;
                try {
                    line = http.json.readTree(raw);
                } catch (JsonProcessingException e) {
                    continue; // that custom_id stays missing; the other lines stand
                }
                String customId = line.path("custom_id").asText("");
                ChatOutcome outcome = outcome(submitted.model(), line.path("result"));
                if (!customId.isBlank() && outcome != null) lines.add(customId, outcome);
            }
        }
        return lines.results(submitted.batchId(), status, submitted.customIds());
    }

    /** Null for a line that was never answered (canceled, expired): it is missing, to be sent again. */
    private ChatOutcome outcome(String model, JsonNode result) {
        ProviderConfig provider = http.provider();
        switch (result.path("type").asText("")) {
            case "succeeded" -> {
                JsonNode message = result.path("message");
                StringBuilder text = new StringBuilder();
                for (JsonNode part : message.path("content")) {
                    if (part.path("type").asText("").equals("text")) text.append(part.path("text").asText(""));
                }
                JsonNode u = message.path("usage");
                Usage usage = new Usage(u.path("input_tokens").asLong(0), u.path("output_tokens").asLong(0), 0, null);
                String stop = message.path("stop_reason").asText(null);
                if (text.isEmpty()) {
                    return ChatCompletionBodies.failure(model, provider, FailureKind.EMPTY_COMPLETION, 200,
                            "model returned no visible text (stop_reason=" + stop + ")").withUsage(usage);
                }
                return new ChatOutcome(model, text.toString(), null, usage, 0, 200, null, null, stop, List.of(), 1, null, null);
            }
            case "errored" -> {
                JsonNode error = result.path("error").has("error") ? result.path("error").path("error") : result.path("error");
                return ChatCompletionBodies.failure(model, provider, kind(error.path("type").asText("")), null,
                        error.path("message").asText("batch line errored without a message"));
            }
            default -> {
                return null;
            }
        }
    }

    /** Anthropic's error types, as its API reference lists them, onto ours. */
    static FailureKind kind(String type) {
        return switch (type) {
            case "invalid_request_error", "request_too_large" -> FailureKind.BAD_REQUEST;
            case "authentication_error" -> FailureKind.UNAUTHORIZED;
            case "permission_error" -> FailureKind.FORBIDDEN;
            case "not_found_error" -> FailureKind.NOT_FOUND;
            case "billing_error" -> FailureKind.INSUFFICIENT_CREDITS;
            case "rate_limit_error" -> FailureKind.RATE_LIMITED;
            case "overloaded_error" -> FailureKind.OVERLOADED;
            case "timeout_error" -> FailureKind.TIMEOUT;
            default -> FailureKind.UPSTREAM_ERROR;
        };
    }

    /**
     * Always empty: {@code GET /messages/batches} lists batches newest first, but shows no metadata or custom_ids to match
     * a label against.
     */
    @Override
    public Optional<SubmittedBatch> find(String model, String label, List<String> customIds) {
        return Optional.empty();
    }

    @Override
    public boolean cancel(String batchId) throws BatchException {
        http.sendJson("cancelling batch " + batchId, HttpRequest.newBuilder(http.uri(batchesPath + "/" + pathSegment(batchId) + "/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        return true;
    }

    @Override
    BatchProgress progress(String batchId, JsonNode batch) {
        JsonNode c = batch.path("request_counts");
        int succeeded = c.path("succeeded").asInt(0);
        int errored = c.path("errored").asInt(0);
        int canceled = c.path("canceled").asInt(0);
        int expired = c.path("expired").asInt(0);
        int total = succeeded + errored + canceled + expired + c.path("processing").asInt(0);
        BatchStatus status = switch (batch.path("processing_status").asText("")) {
            case "in_progress" -> BatchStatus.IN_PROGRESS;
            case "canceling" -> BatchStatus.CANCELLING;
            // "ended" covers all three ends; which one it was shows in whether a cancel began and in the counts
            case "ended" -> batch.hasNonNull("cancel_initiated_at") ? BatchStatus.CANCELLED
                    : expired > 0 ? BatchStatus.EXPIRED : BatchStatus.COMPLETED;
            default -> BatchStatus.UNKNOWN;
        };
        return new BatchProgress(batchId, status, total, succeeded, errored, null);
    }

    @Override
    String batchError(JsonNode batch) {
        return null;
    }
}
