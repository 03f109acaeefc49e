package fusion.model.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fusion.model.ProviderConfigException;
import fusion.model.ProviderRoutes;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ResilienceConfigTest {
    @Test
    @DisplayName("no keys → documented defaults: 256 in flight, no rate limits, 10 min patience, backoff from 500 ms, circuit 50% of 20 for 30 s")
    void defaults() {
        ResilienceConfig config = ResilienceConfig.fromProperties(Map.of());

        assertThat(config).isEqualTo(ResilienceConfig.defaults());
        assertThat(config.limits("openrouter")).isEqualTo(new ProviderLimits(256, 0, 0));
        assertThat(config.retry()).isEqualTo(new RetryPolicy(100, 500, 30_000, 600_000));
        assertThat(config.circuit()).isEqualTo(new CircuitPolicy(50, 20, 30_000, 3));
        assertThat(config.modelMaxInFlight()).isEmpty();
    }

    @Test
    @DisplayName("every key is read; model ids keep their '/', '~' and '.' in fusion.model.<id>.max-in-flight")
    void allKeys() {
        ResilienceConfig config = ResilienceConfig.fromProperties(Map.ofEntries(
                Map.entry("fusion.provider.openrouter.max-in-flight", "64"),
                Map.entry("fusion.provider.openrouter.requests-per-minute", "600"),
                Map.entry("fusion.provider.openai.tokens-per-minute", "2_000_000"),
                Map.entry("fusion.provider.openrouter.base-url", "https://openrouter.ai/api/v1"),
                Map.entry("fusion.model.anthropic/claude-opus-4.5.max-in-flight", "4"),
                Map.entry("fusion.model.~google/gemini-flash-latest.max-in-flight", " 8 "),
                Map.entry("fusion.calls.retry.max-attempts", "6"),
                Map.entry("fusion.calls.retry.base-ms", "250"),
                Map.entry("fusion.calls.retry.max-backoff-ms", "10000"),
                Map.entry("fusion.calls.patience-ms", "60000"),
                Map.entry("fusion.calls.circuit.failure-rate", "75"),
                Map.entry("fusion.calls.circuit.min-calls", "10"),
                Map.entry("fusion.calls.circuit.open-ms", "5000"),
                Map.entry("fusion.calls.circuit.half-open-calls", "2"),
                Map.entry("fusion.calls.timeout-ms", "anything: not ours")));

        assertThat(config.limits("openrouter")).isEqualTo(new ProviderLimits(64, 600, 0));
        assertThat(config.limits("openai")).isEqualTo(new ProviderLimits(256, 0, 2_000_000));
        assertThat(config.modelMaxInFlight()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "anthropic/claude-opus-4.5", 4, "~google/gemini-flash-latest", 8));
        assertThat(config.retry()).isEqualTo(new RetryPolicy(6, 250, 10_000, 60_000));
        assertThat(config.circuit()).isEqualTo(new CircuitPolicy(75, 10, 5_000, 2));
    }

    @Test
    @DisplayName("fusion.calls.retry.budget-ms, the former name, still sets the patience; patience-ms wins over it")
    void deprecatedBudget() {
        assertThat(ResilienceConfig.fromProperties(Map.of("fusion.calls.retry.budget-ms", "90000")).retry().patienceMillis()).isEqualTo(90_000);
        assertThat(ResilienceConfig.fromProperties(Map.of("fusion.calls.retry.budget-ms", "90000", "fusion.calls.patience-ms", "120000"))
                .retry().patienceMillis()).isEqualTo(120_000);
        assertThatThrownBy(() -> ResilienceConfig.fromProperties(Map.of("fusion.calls.patience-ms", "soon")))
                .hasMessageContaining("fusion.calls.patience-ms='soon' is not a whole number");
    }

    @Test
    @DisplayName("a value that is not a number in range → an error naming the property and the range")
    void badValues() {
        assertThatThrownBy(() -> ResilienceConfig.fromProperties(Map.of("fusion.provider.openrouter.max-in-flight", "lots")))
                .isInstanceOf(ProviderConfigException.class)
                .hasMessageContaining("fusion.provider.openrouter.max-in-flight='lots' is not a whole number");
        assertThatThrownBy(() -> ResilienceConfig.fromProperties(Map.of("fusion.calls.circuit.failure-rate", "150")))
                .isInstanceOf(ProviderConfigException.class)
                .hasMessageContaining("fusion.calls.circuit.failure-rate=150 is out of range; use a number from 1 to 100");
        assertThatThrownBy(() -> ResilienceConfig.fromProperties(Map.of("fusion.calls.retry.max-attempts", "0")))
                .hasMessageContaining("fusion.calls.retry.max-attempts");
        assertThatThrownBy(() -> ResilienceConfig.fromProperties(Map.of("fusion.model.openai/gpt-5.max-in-flight", "0")))
                .hasMessageContaining("fusion.model.openai/gpt-5.max-in-flight=0 is out of range");
    }

    @Test
    @DisplayName("a misspelt retry or circuit key is refused rather than silently ignored")
    void unknownKeys() {
        assertThatThrownBy(() -> ResilienceConfig.fromProperties(Map.of("fusion.calls.retry.max-attempt", "3")))
                .isInstanceOf(ProviderConfigException.class)
                .hasMessageContaining("unknown property fusion.calls.retry.max-attempt")
                .hasMessageContaining("max-attempts");
    }

    @Test
    @DisplayName("provider routing accepts the limit keys next to the provider's other settings")
    void routesAcceptLimitKeys() {
        ProviderRoutes routes = ProviderRoutes.fromProperties(Map.of(
                "fusion.provider.openrouter.api-key", "sk-test",
                "fusion.provider.openrouter.max-in-flight", "16",
                "fusion.provider.openrouter.requests-per-minute", "600",
                "fusion.provider.openrouter.tokens-per-minute", "100000"), name -> null);

        assertThat(routes.providers()).hasSize(1);
    }
}
