package fusion.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.calls.CallOutcomes;
import fusion.schema.CallOutcome;
import fusion.schema.FailedModel;
import fusion.schema.FusionResult;

/**
 * One step of one request, as the {@code fusion.events} topic carries it: a JSON object
 * {@code {"type", "request_id", "model"?, "at", ...}} whose types mirror OpenRouter's fusion stream.
 * Every event is written in the same transaction as the state change it reports, so a consumer reading
 * with {@code read_committed} sees each exactly once, in the order of its request's steps.
 */
public record FusionEvent(ObjectNode json) {
    public static final String PANEL_ADDED = "panel.added";
    public static final String PANEL_COMPLETED = "panel.completed";
    public static final String PANEL_FAILED = "panel.failed";
    public static final String ANALYSIS_COMPLETED = "analysis.completed";
    public static final String ANALYSIS_FAILED = "analysis.failed";
    public static final String COMPLETED = "completed";

    static final ObjectMapper JSON = new ObjectMapper();

    public String type() {
        return json.path("type").asText();
    }

    public String requestId() {
        return json.path("request_id").asText();
    }

    /** The panel model (or the judge) it is about; null for the request's own events. */
    public String model() {
        JsonNode m = json.get("model");
        return m == null || m.isNull() ? null : m.asText();
    }

    private static ObjectNode base(String type, String requestId, int attempt, String model, long at) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", type);
        n.put("request_id", requestId);
        if (model != null) n.put("model", model);
        n.put("at", at);
        if (attempt > 1) n.put("attempt", attempt);
        return n;
    }

    /** A panel model's call is on its way (or waiting for its model's limits). */
    public static FusionEvent panelAdded(String requestId, int attempt, String model, int index, int panelSize, long at) {
        ObjectNode n = base(PANEL_ADDED, requestId, attempt, model, at);
        n.put("index", index);
        n.put("panel_size", panelSize);
        return new FusionEvent(n);
    }

    /**
     * A panel model answered (panel.completed) or failed for good (panel.failed, with its status code and reason).
     *
     * @param late true for an answer that came after its request went on at its quorum: recorded and costed, not judged
     */
    public static FusionEvent panelAnswered(String requestId, int attempt, int index, CallOutcome outcome, boolean late, long at) {
        boolean ok = CallOutcomes.succeeded(outcome);
        ObjectNode n = base(ok ? PANEL_COMPLETED : PANEL_FAILED, requestId, attempt, outcome.getModel(), at);
        n.put("index", index);
        if (!ok) {
            FailedModel f = CallOutcomes.failure(outcome);
            if (f.getStatusCode() != null) n.put("status_code", f.getStatusCode());
            else n.putNull("status_code");
            n.put("reason", f.getReason());
            if (f.getMessage() != null) n.put("error", f.getMessage());
        }
        n.put("latency_ms", outcome.getLatencyMs());
        if (outcome.getReused()) n.put("reused", true);
        if (late) n.put("late", true);
        usage(n, outcome.getUsage());
        return new FusionEvent(n);
    }

    /** The judge's analysis is in the result, or is missing from it and why. */
    public static FusionEvent analysis(FusionResult result, String judge, long at) {
        FailedModel failure = result.getJudgeFailure();
        boolean ok = result.getAnalysis() != null;
        ObjectNode n = base(ok ? ANALYSIS_COMPLETED : ANALYSIS_FAILED, result.getRequestId(), result.getAttempt(), judge, at);
        if (!ok) {
            if (failure != null && failure.getStatusCode() != null) n.put("status_code", failure.getStatusCode());
            n.put("reason", failure != null ? failure.getReason() : result.getFailureReason() != null ? result.getFailureReason() : "unknown");
            String message = failure != null ? failure.getMessage() : result.getError();
            if (message != null) n.put("error", message);
        }
        if (result.getJudgeMs() != null) n.put("latency_ms", result.getJudgeMs());
        return new FusionEvent(n);
    }

    /** The request's one result is written: its status, and its failure reason when it failed. */
    public static FusionEvent completed(FusionResult result, long at) {
        ObjectNode n = base(COMPLETED, result.getRequestId(), result.getAttempt(), null, at);
        n.put("status", result.getStatus().name());
        if (result.getFailureReason() != null) n.put("failure_reason", result.getFailureReason());
        n.put("responses", result.getResponses().size());
        n.put("failed_models", result.getFailedModels().size());
        if (result.getQuorum() != null) {
            n.putObject("quorum").put("required", result.getQuorum().getRequired()).put("answered", result.getQuorum().getAnswered());
        }
        return new FusionEvent(n);
    }

    private static void usage(ObjectNode n, fusion.schema.TokenUsage u) {
        if (u == null) return;
        ObjectNode usage = n.putObject("usage");
        usage.put("prompt_tokens", u.getPromptTokens());
        usage.put("completion_tokens", u.getCompletionTokens());
        usage.put("reasoning_tokens", u.getReasoningTokens());
        if (u.getCost() != null) usage.put("cost", u.getCost());
        else usage.putNull("cost");
    }
}
