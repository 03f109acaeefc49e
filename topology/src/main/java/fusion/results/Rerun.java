package fusion.results;

import fusion.model.FailureKind;
import fusion.schema.CallRecord;
import fusion.schema.FailedModel;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import java.util.Set;

/**
 * Which results a rerun of the same job sends again: those that failed for a reason that passes
 * (rate limits, timeouts, network, 5xx, a refused or missing key, credits or quota since topped up,
 * the run's budget, a cancelled batch), never those that failed for a reason that stays (a bad
 * request, a model that does not exist, an empty completion). An ok result whose judge failed for a passing reason is sent again too:
 * its panel answers are reused, so only the judge is paid again.
 */
public final class Rerun {
    private Rerun() {}

    private static final Set<String> PASSING_REASONS = Set.of(FailureReason.RATE_LIMITED.wireName(), FailureReason.BUDGET_EXCEEDED.wireName(),
            FailureReason.CANCELLED.wireName(), FailureReason.INSUFFICIENT_CREDITS.wireName());

    /** Whether a call that failed with this kind (its wire name) may succeed on a later run: {@link FailureKind#rerunnable()}. */
    static boolean passing(String kind) {
        try {
            return kind != null && FailureKind.fromWireName(kind).rerunnable();
        } catch (IllegalArgumentException e) {
            return false; // a reason of the judge's parsing, or of a newer release: not a call's failure kind
        }
    }

    public static boolean worthRetrying(FusionResult r) {
        if (r.getStatus() == ResultStatus.error) {
            String reason = r.getFailureReason();
            if (PASSING_REASONS.contains(reason)) return true;
            if (FailureReason.ALL_PANELS_FAILED.wireName().equals(reason)) {
                return !r.getFailedModels().isEmpty() && r.getFailedModels().stream().map(FailedModel::getReason).allMatch(Rerun::passing);
            }
            return false;
        }
        if (r.getAnalysis() != null || r.getJudgeFailure() == null) return false;
        for (CallRecord c : r.getCalls()) {
            if (c.getStage().equals("judge") && passing(c.getErrorKind())) return true;
        }
        return false;
    }
}
