package fusion.model.batch;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.model.ProviderConfig;
import java.net.http.HttpClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BatchApisTest {
    final HttpClient http = HttpClient.newHttpClient();

    BatchApi api(String name, String baseUrl) {
        return BatchApis.of(ProviderConfig.of(name, baseUrl, "k"), http, BatchRetry.DEFAULT, BatchCost.REPORTED_ONLY).orElse(null);
    }

    @Test
    @DisplayName("OpenRouter and the simulator get OpenRouter's batch API, OpenAI and Anthropic their own, an Ollama endpoint none")
    void byProvider() {
        assertThat(api("openrouter", "https://openrouter.ai/api/v1")).isInstanceOf(OpenRouterBatchApi.class);
        assertThat(api("sim", "http://127.0.0.1:4010/v1")).isInstanceOf(OpenRouterBatchApi.class);
        assertThat(api("openai", "https://api.openai.com/v1")).isInstanceOf(OpenAiBatchApi.class);
        assertThat(api("anthropic", "https://api.anthropic.com/v1")).isInstanceOf(AnthropicBatchApi.class);
        assertThat(api("ollama", "http://ollama.internal:11434/v1")).isNull();
    }

    @Test
    @DisplayName("fusion.batch.discount: default 0.5; a value outside (0, 1] is refused, naming the setting")
    void discount() {
        assertThat(BatchCost.fromProperties(java.util.Map.of(), null).discount()).isEqualTo(0.5);
        assertThat(BatchCost.fromProperties(java.util.Map.of("fusion.batch.discount", "0.4"), null).discount()).isEqualTo(0.4);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BatchCost.fromProperties(java.util.Map.of("fusion.batch.discount", "2"), null))
                .hasMessageContaining("fusion.batch.discount is 2.0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BatchCost.fromProperties(java.util.Map.of("fusion.batch.discount", "half"), null))
                .hasMessageContaining("fusion.batch.discount is 'half'");
    }

    @Test
    @DisplayName("statuses: the four terminal ones end a batch; an unknown one never does")
    void statuses() {
        assertThat(BatchStatus.fromWireName("validating").terminal()).isFalse();
        assertThat(BatchStatus.fromWireName("finalizing").terminal()).isFalse();
        assertThat(BatchStatus.fromWireName("cancelling").terminal()).isFalse();
        assertThat(BatchStatus.fromWireName("canceled")).isEqualTo(BatchStatus.CANCELLED);
        assertThat(java.util.List.of("completed", "failed", "expired", "cancelled")).allSatisfy(s -> assertThat(BatchStatus.fromWireName(s).terminal()).isTrue());
        assertThat(BatchStatus.fromWireName("paused_for_maintenance")).isEqualTo(BatchStatus.UNKNOWN);
        assertThat(BatchStatus.UNKNOWN.terminal()).isFalse();
    }
}
