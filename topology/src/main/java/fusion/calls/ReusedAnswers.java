package fusion.calls;

import fusion.schema.CallOutcome;
import java.time.Duration;

/** The reuse store's retention: an answer older than it is neither reused nor kept. */
public final class ReusedAnswers {
    private ReusedAnswers() {}

    /** {@code answer}, or null when there is none or it is older than {@code retention}. */
    public static CallOutcome fresh(CallOutcome answer, Duration retention, long now) {
        return answer == null || expired(answer, retention, now) ? null : answer;
    }

    public static boolean expired(CallOutcome answer, Duration retention, long now) {
        return now - answer.getCompletedAt() > retention.toMillis();
    }
}
