package fusion.calls;

import fusion.model.ChatClient;
import fusion.model.ChatMessage;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.FailureKind;
import fusion.model.Usage;
import fusion.schema.CallOutcome;
import fusion.schema.CallRecord;
import fusion.schema.FailedModel;
import fusion.schema.FusionRequest;
import fusion.schema.Message;
import fusion.schema.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Conversions between the model layer's outcomes and the pipeline's Avro records. */
public final class CallOutcomes {
    private CallOutcomes() {}

    /** Starts a call; a client that throws instead of failing its future still yields an outcome. */
    static CompletableFuture<ChatOutcome> safely(ChatClient client, ChatRequest request) {
        try {
            return client.complete(request);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(
                    ChatOutcome.failed(request.model(), FailureKind.NETWORK_ERROR, null, "call could not start: " + e.getMessage(), 0));
        }
    }

    public static CallOutcome toRecord(ChatOutcome o, long completedAt) {
        Usage u = o.usage();
        return CallOutcome.newBuilder()
                .setModel(o.model())
                .setContent(o.succeeded() ? o.content() : null)
                .setReasoning(o.reasoning())
                .setUsage(new TokenUsage(u.promptTokens(), u.completionTokens(), u.reasoningTokens(), u.cost(), u.toolCalls(), u.toolCost()))
                .setLatencyMs(o.latencyMs())
                .setStatusCode(o.statusCode())
                .setErrorKind(o.failure() == null ? null : o.failure().wireName())
                .setErrorMessage(o.errorMessage())
                .setFinishReason(o.finishReason())
                .setSources(new ArrayList<>(o.sources()))
                .setAttempts(o.attempts())
                .setCompletedAt(completedAt)
                .setRetries(new java.util.HashMap<>(o.retriesByReason()))
                .setCircuitWaitMs(o.circuitWaitMs())
                .setHttpRequests(o.httpRequests())
                .build();
    }

    /** A panel model that gave no response before the request's deadline. */
    public static CallOutcome timedOut(String model, long waitedMs, long now) {
        return CallOutcome.newBuilder()
                .setModel(model)
                .setUsage(new TokenUsage(0L, 0L, 0L, null, 0L, null))
                .setLatencyMs(waitedMs)
                .setErrorKind(FailureKind.TIMEOUT.wireName())
                .setErrorMessage("no response within the request's deadline (" + waitedMs + " ms)")
                .setAttempts(0)
                .setCompletedAt(now)
                .build();
    }

    public static boolean succeeded(CallOutcome o) {
        return o.getErrorKind() == null && o.getContent() != null;
    }

    public static FailedModel failure(CallOutcome o) {
        return new FailedModel(o.getModel(), o.getErrorKind() == null ? "unknown" : o.getErrorKind(),
                o.getStatusCode(), o.getErrorMessage());
    }

    public static FailedModel failure(CallOutcome o, String reason) {
        return new FailedModel(o.getModel(), reason, o.getStatusCode(), o.getErrorMessage());
    }

    public static CallRecord ledgerEntry(String stage, CallOutcome o) {
        return CallRecord.newBuilder()
                .setStage(stage)
                .setModel(o.getModel())
                .setStatusCode(o.getStatusCode())
                .setErrorKind(o.getErrorKind())
                .setLatencyMs(o.getLatencyMs())
                .setAttempts(o.getAttempts())
                .setUsage(o.getUsage())
                .setReused(o.getReused())
                .setRetries(new java.util.HashMap<>(o.getRetries()))
                .setCircuitWaitMs(o.getCircuitWaitMs())
                .setHttpRequests(o.getHttpRequests())
                .build();
    }

    public static List<ChatMessage> chatMessages(FusionRequest request) {
        List<ChatMessage> out = new ArrayList<>(request.getMessages().size());
        for (Message m : request.getMessages()) {
            out.add(new ChatMessage(m.getRole(), m.getContent()));
        }
        return out;
    }

    /** A call for {@code model} with the request's token and reasoning limits, as the spec forwards them to panel and judge. */
    public static ChatRequest withRequestLimits(ChatRequest base, FusionRequest request) {
        ChatRequest r = base.withMaxCompletionTokens(request.getMaxCompletionTokens());
        if (request.getReasoning() != null) {
            r = r.withReasoning(request.getReasoning().getEffort(), request.getReasoning().getMaxTokens());
        }
        return r;
    }
}
