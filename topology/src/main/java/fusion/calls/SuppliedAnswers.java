package fusion.calls;

import fusion.schema.CallOutcome;
import fusion.schema.FusionRequest;
import fusion.schema.SuppliedResponse;
import fusion.schema.TokenUsage;

/**
 * A panel answer the request brought with it ({@code panel_responses}: a judge-only request, as {@code fusion rejudge}
 * sends): the model is not called. The answer counts as reused, so its usage, when known, is what it cost when it was
 * made, and nothing is paid for it again.
 */
public final class SuppliedAnswers {
    private SuppliedAnswers() {}

    /** The outcome of {@code model}'s seat when the request supplies its answer, else null. */
    public static CallOutcome of(FusionRequest request, String model, long now) {
        if (request == null) return null;
        for (SuppliedResponse s : request.getPanelResponses()) {
            if (!s.getModel().equals(model)) continue;
            TokenUsage usage = s.getUsage() != null ? TokenUsage.newBuilder(s.getUsage()).build() : new TokenUsage(0L, 0L, 0L, null, 0L, null);
            return CallOutcome.newBuilder()
                    .setModel(model)
                    .setContent(s.getContent())
                    .setUsage(usage)
                    .setFinishReason("stop")
                    .setAttempts(0)
                    .setHttpRequests(0)
                    .setCompletedAt(now)
                    .setReused(true)
                    .build();
        }
        return null;
    }
}
