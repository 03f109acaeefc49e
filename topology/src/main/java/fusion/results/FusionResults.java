package fusion.results;

import fusion.calls.CallOutcomes;
import fusion.model.FailureKind;
import fusion.schema.CallOutcome;
import fusion.schema.CallRecord;
import fusion.schema.Deliberation;
import fusion.schema.FailedModel;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.schema.ModelResponse;
import fusion.schema.PanelAnswer;
import fusion.schema.ResultStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds FusionResult records by the spec's rules. */
public final class FusionResults {
    private FusionResults() {}

    /** A request that cannot run as given: the message names the field and how to fix it. */
    public static FusionResult invalid(String requestId, FusionRequest request, String message, long now) {
        return error(requestId, request, message, FailureReason.INVALID_REQUEST, List.of(), List.of(), now);
    }

    /** A second request in a turn that already ran fusion. */
    public static FusionResult capped(FusionRequest request, String firstRequestId, long now) {
        return error(request.getRequestId(), request,
                "fusion was already invoked in turn '" + request.getTurnId() + "' (request '" + firstRequestId
                        + "'); a turn runs fusion at most once",
                FailureReason.FUSION_INVOCATION_CAPPED, List.of(), List.of(), now);
    }

    /** A request of a cancelled batch, answered before any of its calls were sent. */
    public static FusionResult cancelled(FusionRequest request, String batchId, long now) {
        return error(request.getRequestId(), request, "batch '" + batchId + "' was cancelled before this request reached the models",
                FailureReason.CANCELLED, List.of(), List.of(), now);
    }

    public static FusionResult unexpected(String requestId, FusionRequest request, String message, long now) {
        return error(requestId, request, "unexpected error: " + message, FailureReason.UNEXPECTED_ERROR, List.of(), List.of(), now);
    }

    /**
     * The panel's part of the result: an error when every panel model failed, else an ok result
     * with the responses and failed models, ready for the judge's analysis.
     */
    public static FusionResult fromPanel(Deliberation deliberation, FusionRequest request, long now) {
        List<PanelAnswer> answers = new ArrayList<>(deliberation.getAnswers());
        answers.sort(Comparator.comparingInt(PanelAnswer::getIndex));
        List<ModelResponse> responses = new ArrayList<>();
        List<FailedModel> failed = new ArrayList<>();
        List<CallRecord> calls = new ArrayList<>();
        long panelMs = 0;
        for (PanelAnswer answer : answers) {
            CallOutcome o = answer.getOutcome();
            // a model the quorum did not wait for made no call yet that the result could cost: its answer, if one comes, is recorded then
            if (!FailureKind.QUORUM_TIMEOUT.wireName().equals(o.getErrorKind())) calls.add(CallOutcomes.ledgerEntry("panel", o));
            panelMs = Math.max(panelMs, o.getLatencyMs());
            if (CallOutcomes.succeeded(o)) {
                responses.add(new ModelResponse(o.getModel(), o.getContent()));
            } else {
                failed.add(CallOutcomes.failure(o));
            }
        }
        List<CallOutcome> outcomes = answers.stream().map(PanelAnswer::getOutcome).toList();
        if (responses.isEmpty()) {
            FailureReason reason = panelFailureReason(failed);
            String message = reason == FailureReason.CANCELLED ? "the request's batch was cancelled before its calls were sent"
                    : reason == FailureReason.BUDGET_EXCEEDED ? "the run's cost limit was reached before this request's calls were sent"
                    : "all panel models failed";
            FusionResult r = error(deliberation.getRequestId(), request, message,
                    reason, failed, calls, now);
            r.setPanelMs(panelMs);
            return withSources(r, outcomes);
        }
        return withSources(FusionResult.newBuilder()
                .setRequestId(deliberation.getRequestId())
                .setStatus(ResultStatus.ok)
                .setResponses(responses)
                .setFailedModels(failed)
                .setJudgeModel(request.getModel())
                .setFinalModel(request.getFinalModel())
                .setCalls(calls)
                .setReceivedAt(receivedAt(request, now))
                .setCompletedAt(now)
                .setPanelMs(panelMs)
                .setMetadata(metadata(request))
                .setAttempt(attempt(request))
                .setQuorum(request.getQuorum() == null ? null : new fusion.schema.Quorum(request.getQuorum(), responses.size()))
                .build(), outcomes);
    }

    private static FusionResult withSources(FusionResult r, List<CallOutcome> panel) {
        panel.forEach(o -> ResultSources.add(r, o.getModel(), o.getSources()));
        return r;
    }

    /**
     * Every panel model failed: insufficient_credits when any failed for credits, else
     * rate_limited when any was rate limited, else all_panels_failed.
     */
    public static FailureReason panelFailureReason(List<FailedModel> failed) {
        if (failed.stream().allMatch(f -> FailureKind.CANCELLED.wireName().equals(f.getReason()))) return FailureReason.CANCELLED;
        if (failed.stream().anyMatch(f -> FailureKind.BUDGET_EXCEEDED.wireName().equals(f.getReason()))) return FailureReason.BUDGET_EXCEEDED;
        boolean credits = failed.stream().anyMatch(f -> FailureKind.INSUFFICIENT_CREDITS.wireName().equals(f.getReason()));
        if (credits) return FailureReason.INSUFFICIENT_CREDITS;
        boolean rateLimited = failed.stream().anyMatch(f -> FailureKind.RATE_LIMITED.wireName().equals(f.getReason())
                || FailureKind.QUOTA_EXCEEDED.wireName().equals(f.getReason()));
        if (rateLimited) return FailureReason.RATE_LIMITED;
        return FailureReason.ALL_PANELS_FAILED;
    }

    private static FusionResult error(String requestId, FusionRequest request, String message, FailureReason reason,
                                      List<FailedModel> failed, List<CallRecord> calls, long now) {
        return FusionResult.newBuilder()
                .setRequestId(requestId)
                .setStatus(ResultStatus.error)
                .setError(message)
                .setFailureReason(reason.wireName())
                .setFailedModels(new ArrayList<>(failed))
                .setCalls(new ArrayList<>(calls))
                .setReceivedAt(receivedAt(request, now))
                .setCompletedAt(now)
                .setMetadata(metadata(request))
                .setAttempt(attempt(request))
                .build();
    }

    private static int attempt(FusionRequest request) {
        return request == null ? 1 : request.getAttempt();
    }

    private static long receivedAt(FusionRequest request, long now) {
        return request != null && request.getReceivedAt() != null ? request.getReceivedAt() : now;
    }

    private static Map<String, String> metadata(FusionRequest request) {
        return request == null ? new HashMap<>() : new HashMap<>(request.getMetadata());
    }
}
