package fusion.model.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.model.ChatOutcome;
import fusion.model.Usage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The token correction, seen through the throttle's counters. Admission is decided synchronously
 * inside acquire(), so queued()/inFlight() right after it tell whether the call was let through.
 * tokens-per-minute 6000 is 100 a second: a 10k-token call leaves 9,900 of debt, which takes
 * 99 s to refill, so nothing here depends on how fast the test runs.
 */
class ProviderThrottleTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ProviderThrottle throttle = new ProviderThrottle("p", new ProviderLimits(10, 0, 6_000), Map.of(), scheduler);

    @AfterEach
    void stop() {
        throttle.close();
        scheduler.shutdownNow();
    }

    private static ChatOutcome answeredWith(Usage usage) {
        return new ChatOutcome("m", "ok", null, usage, 1, 200, null, null, "stop", List.of(), 1, null, null);
    }

    @Test
    @DisplayName("usage corrects the token estimate: a call that used far fewer tokens frees the rest at once")
    void usageRefundsEstimate() throws Exception {
        throttle.acquire("m", 10_000).get().release(answeredWith(new Usage(6, 4, 0, null)));

        throttle.acquire("m", 50);

        assertThat(throttle.queued()).isZero();
        assertThat(throttle.inFlight()).isEqualTo(1);
    }

    @Test
    @DisplayName("without usage in the answer the estimate stands and the next call waits")
    void noUsageKeepsEstimate() throws Exception {
        throttle.acquire("m", 10_000).get().release(answeredWith(Usage.NONE));

        throttle.acquire("m", 50);

        assertThat(throttle.queued()).isEqualTo(1);
        assertThat(throttle.inFlight()).isZero();
    }

    @Test
    @DisplayName("a permit released twice counts once")
    void releaseOnce() throws Exception {
        ProviderThrottle.Permit permit = throttle.acquire("m", 1).get();
        permit.release(null);
        permit.release(null);
        assertThat(throttle.inFlight()).isZero();
    }
}
