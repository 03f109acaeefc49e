package fusion.runtime;

import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.model.resilience.ResilientChatClient;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The model client every long-running command uses: HTTP to the configured providers, wrapped in
 * their limits (in flight, requests and tokens per minute, Retry-After), retries with full jitter
 * and a circuit per model.
 */
public final class ModelCalls {
    private ModelCalls() {}

    public static ResilientChatClient open(ProviderRoutes routes, FusionConfig config, MeterRegistry registry) {
        OpenAiChatClient http = new OpenAiChatClient(routes, config.callTimeout());
        return ResilientChatClient.fromProperties(http, config.values(), registry);
    }
}
