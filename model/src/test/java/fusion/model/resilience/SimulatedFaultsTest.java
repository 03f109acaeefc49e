package fusion.model.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.model.ChatMessage;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The resilient client against the simulator over HTTP, with its faults drawn per attempt. */
class SimulatedFaultsTest {
    private static final int CALLS = 300;

    @Test
    @DisplayName("19% transient faults (429, 500, timeouts), default circuit and patience → at least 95% of 300 calls answered, retries counted by reason")
    void transientFaultsAreOutlasted() throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "fusion.simulator.latency-ms", "0",
                "fusion.simulator.failure.rate-limited", "0.07",
                "fusion.simulator.failure.server-error", "0.07",
                "fusion.simulator.failure.timeout", "0.05",
                "fusion.simulator.timeout-hang-ms", "4000",
                // only the backoff is made short, to keep the test quick; circuit, patience and limits keep their defaults
                "fusion.calls.retry.base-ms", "10",
                "fusion.calls.retry.max-backoff-ms", "100"));
        ResilienceConfig config = ResilienceConfig.fromProperties(settings);
        assertThat(config.circuit()).isEqualTo(CircuitPolicy.DEFAULT);
        assertThat(config.retry().patienceMillis()).isEqualTo(RetryPolicy.DEFAULT.patienceMillis());

        try (Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(settings));
             ResilientChatClient client = ResilientChatClient.wrapping(new OpenAiChatClient(ProviderRoutes.single("sim", simulator.baseUrl(), null),
                     Duration.ofSeconds(3)), config, new SimpleMeterRegistry())) {
            List<CompletableFuture<ChatOutcome>> calls = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                String model = "sim/panel-" + (i % 3);
                calls.add(client.complete(ChatRequest.of(model, List.of(ChatMessage.user("Row " + i + ": is congestion pricing worth it?")))));
            }
            List<ChatOutcome> outcomes = new ArrayList<>();
            for (CompletableFuture<ChatOutcome> c : calls) outcomes.add(c.get(5, TimeUnit.MINUTES));

            long answered = outcomes.stream().filter(ChatOutcome::succeeded).count();
            Map<String, Integer> retries = new HashMap<>();
            outcomes.forEach(o -> o.retriesByReason().forEach((reason, n) -> retries.merge(reason, n, Integer::sum)));
            int httpRequests = outcomes.stream().mapToInt(ChatOutcome::httpRequests).sum();

            assertThat(answered).isGreaterThanOrEqualTo(CALLS * 95 / 100);
            assertThat(retries).containsKeys("rate_limited", "server_error", "timeout");
            assertThat(outcomes).allSatisfy(o -> assertThat(o.retries()).isEqualTo(o.attempts() - 1));
            assertThat(httpRequests).as("every request the simulator received is counted once").isEqualTo(simulator.callCount());
            assertThat(httpRequests).isEqualTo(CALLS + retries.values().stream().mapToInt(Integer::intValue).sum());
        }
    }
}
