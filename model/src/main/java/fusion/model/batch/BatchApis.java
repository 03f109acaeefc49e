package fusion.model.batch;

import fusion.model.ProviderConfig;
import java.net.http.HttpClient;
import java.util.Locale;
import java.util.Optional;

/** Which batch API a configured provider speaks, if any; a provider without one runs its calls synchronously. */
public final class BatchApis {
    private BatchApis() {}

    /**
     * OpenRouter's for {@code openrouter.ai} or a provider named {@code openrouter}, and for one on loopback (the simulator
     * serves OpenRouter's endpoints); OpenAI's for {@code api.openai.com} or a provider named {@code openai}; Anthropic's for
     * {@code api.anthropic.com} or a provider named {@code anthropic}; else none
     * (Ollama, vLLM and other OpenAI-compatible servers have no batch endpoints).
     */
    public static Optional<BatchApi> of(ProviderConfig provider, HttpClient http, BatchRetry retry, BatchCost cost) {
        String host = provider.baseUrl().getHost() == null ? "" : provider.baseUrl().getHost().toLowerCase(Locale.ROOT);
        String name = provider.name().toLowerCase(Locale.ROOT);
        if (host.endsWith("openrouter.ai") || name.equals("openrouter") || onLoopback(host)) {
            return Optional.of(new OpenRouterBatchApi(provider, http, retry, cost));
        }
        if (host.equals("api.openai.com") || name.equals("openai")) return Optional.of(new OpenAiBatchApi(provider, http, retry, cost));
        if (host.equals("api.anthropic.com") || name.equals("anthropic")) return Optional.of(new AnthropicBatchApi(provider, http, retry, cost));
        return Optional.empty();
    }

    private static boolean onLoopback(String host) {
        return host.equals("localhost") || host.equals("[::1]") || host.equals("::1") || host.startsWith("127.");
    }
}
