package fusion.model.resilience;

/**
 * When and how long to wait before trying a failed call again, and when to stop. Only failures
 * whose {@link fusion.model.FailureKind#retryable()} is true are retried. A call keeps trying, through
 * backoffs and waits for its model's open circuit, until it succeeds or its patience is spent;
 * {@code maxAttempts} is only a safety cap, high by default so that patience decides.
 *
 * @param maxAttempts      HTTP attempts per call, the first included (1 = never retry)
 * @param baseMillis       backoff before the first retry is drawn from [0, base]; it doubles per retry
 * @param maxBackoffMillis the doubling stops here (a provider's Retry-After may still ask for longer)
 * @param patienceMillis   how long a call may go on trying, counted from its first attempt (or, for a call that met an
 *                         open circuit first, from then): no retry and no wait for a circuit ends later than this.
 *                         It was the retry budget ({@code fusion.calls.retry.budget-ms}) before open circuits were waited for.
 */
public record RetryPolicy(int maxAttempts, long baseMillis, long maxBackoffMillis, long patienceMillis) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(100, 500, 30_000, 600_000);

    /** Past this the doubling has long passed any sensible cap; stops {@code 2^n} from overflowing. */
    private static final int MAX_DOUBLINGS = 30;

    public RetryPolicy {
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        if (baseMillis < 0 || maxBackoffMillis < 0 || patienceMillis < 0) {
            throw new IllegalArgumentException("retry delays must not be negative: " + baseMillis + ", " + maxBackoffMillis + ", " + patienceMillis);
        }
    }

    /** The patience under its former name. */
    @Deprecated
    public long budgetMillis() {
        return patienceMillis;
    }

    /** This policy with another patience. */
    public RetryPolicy withPatience(long millis) {
        return new RetryPolicy(maxAttempts, baseMillis, maxBackoffMillis, millis);
    }

    /** A policy that makes exactly one attempt and never waits for an open circuit. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, 0, 0, 0);
    }

    /**
     * Full-jitter backoff: {@code random · min(maxBackoff, base · 2^(failedAttempts-1))}, at least
     * {@code retryAfterMillis} when the provider named one. Full jitter spreads the retries of many
     * calls that failed together (one provider hiccup fails a whole batch) instead of sending them
     * back in lockstep.
     *
     * @param failedAttempts   attempts made so far, all failed (1 before the first retry)
     * @param random           uniform in [0, 1)
     * @param retryAfterMillis the provider's Retry-After, or null
     */
    public long delayMillis(int failedAttempts, double random, Long retryAfterMillis) {
        int doublings = Math.min(Math.max(failedAttempts - 1, 0), MAX_DOUBLINGS);
        long ceiling = Math.min(maxBackoffMillis, baseMillis * (1L << doublings));
        long jittered = (long) (random * ceiling);
        return retryAfterMillis == null ? jittered : Math.max(jittered, retryAfterMillis);
    }
}
