package fusion.calls;

import java.time.Duration;

/**
 * How the asynchronous stages run their calls.
 *
 * @param forwardInterval how often completed calls are forwarded (wall clock)
 * @param maxCapacityWaitMillis the most a stream thread waits for in-flight capacity at once, across
 *     all its tasks and stages; regained at a quarter of wall time. Keeps every transaction far under
 *     transaction.timeout.ms however long a provider pauses
 * @param maxQueued calls per stage and task that may wait for capacity before the stream thread waits
 * @param reuseAnswers answer a panel call from an earlier identical call (same model, messages and
 *     parameters) instead of paying for it again
 * @param deadline how long a call may take from when it was sent (not from when it was stored or
 *     queued); past it the call completes as a timeout. Must exceed the client's patience and timeout
 * @param reuseRetention how long an answered call may be reused; older answers are not reused and
 *     are purged from every instance's reuse store
 */
public record CallSettings(Duration forwardInterval, long maxCapacityWaitMillis, int maxQueued, boolean reuseAnswers, Duration deadline,
                           Duration reuseRetention) {
    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(15);
    public static final Duration DEFAULT_REUSE_RETENTION = Duration.ofDays(30);

    public CallSettings(Duration forwardInterval, long maxCapacityWaitMillis, int maxQueued) {
        this(forwardInterval, maxCapacityWaitMillis, maxQueued, true, DEFAULT_DEADLINE, DEFAULT_REUSE_RETENTION);
    }

    public static CallSettings defaults() {
        return new CallSettings(Duration.ofMillis(10), 5_000, 4096, true, DEFAULT_DEADLINE, DEFAULT_REUSE_RETENTION);
    }

    public CallSettings withDeadline(Duration d) {
        return new CallSettings(forwardInterval, maxCapacityWaitMillis, maxQueued, reuseAnswers, d, reuseRetention);
    }

    public CallSettings withReuseAnswers(boolean reuse) {
        return new CallSettings(forwardInterval, maxCapacityWaitMillis, maxQueued, reuse, deadline, reuseRetention);
    }
}
