package fusion.results;

import fusion.schema.CallRecord;
import fusion.schema.FailedModel;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import java.util.Set;

/**
 * Which results a rerun of the same job sends again: those that failed for a reason that passes
 * (rate limits, timeouts, network, 5xx, a refused or missing key, the run's budget, a cancelled
 * batch), never those that failed for a reason that stays (a bad request, no credits, a model
 * that does not exist). An ok result whose judge failed for a passing reason is sent again too:
 * its panel answers are reused, so only the judge is paid again.
 */
public final class Rerun {
    private Rerun() {}

    /** Failure kinds (their wire names) that a later try may not meet again. */
    static final Set<String> PASSING_KINDS = Set.of("rate_limited", "request_timeout", "conflict", "server_error", "overloaded",
            "timeout", "network_error", "invalid_response", "upstream_error", "unauthorized", "forbidden", "circuit_open",
            "no_provider", "cancelled", "budget_exceeded");

    private static final Set<String> PASSING_REASONS = Set.of(FailureReason.RATE_LIMITED.wireName(), FailureReason.BUDGET_EXCEEDED.wireName(),
            FailureReason.CANCELLED.wireName());

    public static boolean worthRetrying(FusionResult r) {
        if (r.getStatus() == ResultStatus.error) {
            String reason = r.getFailureReason();
            if (PASSING_REASONS.contains(reason)) return true;
            if (FailureReason.ALL_PANELS_FAILED.wireName().equals(reason)) {
                return !r.getFailedModels().isEmpty() && r.getFailedModels().stream().map(FailedModel::getReason).allMatch(PASSING_KINDS::contains);
            }
            return false;
        }
        if (r.getAnalysis() != null || r.getJudgeFailure() == null) return false;
        for (CallRecord c : r.getCalls()) {
            if (c.getStage().equals("judge") && c.getErrorKind() != null && PASSING_KINDS.contains(c.getErrorKind())) return true;
        }
        return false;
    }
}
