package fusion.model.resilience;

/**
 * When and how long to wait before trying a failed call again. Only failures whose
 * {@link fusion.model.FailureKind#retryable()} is true are retried.
 *
 * @param maxAttempts      HTTP attempts per call, the first included (1 = never retry)
 * @param baseMillis       backoff before the first retry is drawn from [0, base]; it doubles per retry
 * @param maxBackoffMillis the doubling stops here (a provider's Retry-After may still ask for longer)
 * @param budgetMillis     no retry is started that would begin later than this after the first attempt started
 */
public record RetryPolicy(int maxAttempts, long baseMillis, long maxBackoffMillis, long budgetMillis) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(4, 500, 30_000, 300_000);

    /** Past this the doubling has long passed any sensible cap; stops {@code 2^n} from overflowing. */
    private static final int MAX_DOUBLINGS = 30;

    public RetryPolicy {
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        if (baseMillis < 0 || maxBackoffMillis < 0 || budgetMillis < 0) {
            throw new IllegalArgumentException("retry delays must not be negative: " + baseMillis + ", " + maxBackoffMillis + ", " + budgetMillis);
        }
    }

    /** A policy that makes exactly one attempt. */
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
