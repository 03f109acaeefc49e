package fusion.calls;

import java.time.Duration;

/**
 * How the asynchronous stages run their calls.
 *
 * @param forwardInterval how often completed calls are forwarded (wall clock)
 * @param maxCapacityWaitMillis how long the stream thread may wait for in-flight capacity; well
 *     under max.poll.interval.ms
 * @param maxQueued calls per stage and task that may wait for capacity before the stream thread waits
 * @param reuseAnswers answer a panel call from an earlier identical call (same model, messages and
 *     parameters) instead of paying for it again
 */
public record CallSettings(Duration forwardInterval, long maxCapacityWaitMillis, int maxQueued, boolean reuseAnswers) {
    public CallSettings(Duration forwardInterval, long maxCapacityWaitMillis, int maxQueued) {
        this(forwardInterval, maxCapacityWaitMillis, maxQueued, true);
    }

    public static CallSettings defaults() {
        return new CallSettings(Duration.ofMillis(10), 30_000, 4096, true);
    }
}
