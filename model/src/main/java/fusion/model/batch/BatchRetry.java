package fusion.model.batch;

import java.time.Duration;

/**
 * How one exchange with a batch endpoint is tried: {@code attempts} tries in all for a retryable failure (429, 5xx,
 * timeout, network), waiting the provider's Retry-After or else {@code backoff} doubling each time, each try cut
 * off after {@code callTimeout}. A batch's own wait is hours; these are the seconds one HTTP exchange may take.
 */
public record BatchRetry(int attempts, Duration backoff, Duration maxWait, Duration callTimeout) {
    public static final BatchRetry DEFAULT = new BatchRetry(4, Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(120));

    public BatchRetry {
        if (attempts < 1) throw new IllegalArgumentException("attempts must be at least 1: " + attempts);
        if (backoff.isNegative() || maxWait.isNegative()) throw new IllegalArgumentException("waits must not be negative");
        if (callTimeout.isNegative() || callTimeout.isZero()) throw new IllegalArgumentException("callTimeout must be positive: " + callTimeout);
    }

    /** The wait before try {@code attempt + 1}: the provider's ask when it made one, else the doubling backoff; never past {@code maxWait}. */
    Duration waitAfter(int attempt, Long retryAfterMillis) {
        long ms = retryAfterMillis != null ? retryAfterMillis : backoff.toMillis() << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(ms, maxWait.toMillis()));
    }
}
