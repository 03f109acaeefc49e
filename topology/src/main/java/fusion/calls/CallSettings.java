package fusion.calls;

import java.time.Duration;

/**
 * How the asynchronous stages run their calls.
 *
 * @param forwardInterval how often completed calls are forwarded (wall clock)
 * @param maxCapacityWaitMillis how long the stream thread may wait for in-flight capacity; well
 *     under max.poll.interval.ms
 */
public record CallSettings(Duration forwardInterval, long maxCapacityWaitMillis) {
    public static CallSettings defaults() {
        return new CallSettings(Duration.ofMillis(20), 30_000);
    }
}
