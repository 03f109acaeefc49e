package fusion.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fusion.model.ChatMessage;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.FailureKind;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** fusion.simulator.model.<id>.*: one model's own latency and failures, over the common settings. */
class SimulatorModelSettingsTest {
    private static final Map<String, String> SETTINGS = Map.of(
            "fusion.simulator.latency-ms", "0",
            "fusion.simulator.model.sim/laggard.latency-ms", "30000",
            "fusion.simulator.model.sim/broke.failure.credits", "1");

    @Test
    @DisplayName("each model's settings apply to it alone; a model without any takes the common ones")
    void perModel() {
        SimulatorConfig c = SimulatorConfig.fromProperties(SETTINGS);

        assertThat(c.forModel("sim/laggard").latencyMs()).isEqualTo(30_000);
        assertThat(c.forModel("sim/laggard").creditsRate()).isZero();
        assertThat(c.forModel("sim/broke").creditsRate()).isEqualTo(1.0);
        assertThat(c.forModel("sim/broke").latencyMs()).isZero();
        assertThat(c.forModel("sim/alpha")).isSameAs(c);
    }

    @Test
    @DisplayName("over HTTP: the laggard does not answer within a call's timeout, the broke model fails for credits, the others answer")
    void overHttp() {
        try (Simulator sim = Simulator.start(SimulatorConfig.fromProperties(SETTINGS));
             OpenAiChatClient client = new OpenAiChatClient(ProviderRoutes.single("sim", sim.baseUrl(), null), Duration.ofMillis(500))) {
            ChatOutcome laggard = ask(client, "sim/laggard");
            ChatOutcome broke = ask(client, "sim/broke");
            ChatOutcome alpha = ask(client, "sim/alpha");

            assertThat(laggard.failure()).isEqualTo(FailureKind.TIMEOUT);
            assertThat(broke.failure()).isEqualTo(FailureKind.INSUFFICIENT_CREDITS);
            assertThat(alpha.succeeded()).isTrue();
        }
    }

    @Test
    @DisplayName("a per-model key that is no setting, or a bad value, is refused naming the key and the model")
    void badKeys() {
        assertThatThrownBy(() -> SimulatorConfig.fromProperties(Map.of("fusion.simulator.model.sim/x.speed", "3")))
                .hasMessageContaining("fusion.simulator.model.sim/x.speed is not a per-model setting").hasMessageContaining("latency-ms");
        assertThatThrownBy(() -> SimulatorConfig.fromProperties(Map.of("fusion.simulator.model.sim/x.latency-ms", "-3")))
                .hasMessageContaining("sim/x").hasMessageContaining("latency-ms is -3");
    }

    private static ChatOutcome ask(OpenAiChatClient client, String model) {
        return client.complete(ChatRequest.of(model, List.of(ChatMessage.user("q")))).join();
    }
}
