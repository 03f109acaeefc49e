package fusion.runtime;

import fusion.model.ChatClient;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.model.resilience.ResilientChatClient;
import fusion.model.tools.ToolLoop;
import fusion.model.tools.ToolSteps;
import fusion.web.WebTools;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;

/**
 * The model client every long-running command uses: HTTP to the configured providers, wrapped in
 * their limits (in flight, requests and tokens per minute, Retry-After), retries with full jitter
 * and a circuit per model; and, around that, our own tool loop for providers that run no server tools.
 */
public final class ModelCalls {
    /** Loop turns and tool results kept for a reissued loop to replay (see {@link ToolSteps}). */
    static final int TOOL_STEPS_KEPT = 20_000;
    static final String TOOL_STEPS_FILE = "tool-steps.jsonl";

    private ModelCalls() {}

    public static ResilientChatClient open(ProviderRoutes routes, FusionConfig config, MeterRegistry registry) {
        OpenAiChatClient http = new OpenAiChatClient(routes, config.callTimeout());
        return ResilientChatClient.fromProperties(http, config.values(), registry);
    }

    /**
     * The web tools our own loop runs on a model's behalf, or null for none. The one place they are made:
     * the SSRF-safe web_fetch and the search backends ({@code fusion.web-fetch.*}, {@code fusion.web-search.*})
     * plug in here. Until then a call to a provider without server tools goes without tools, as before.
     */
    public static WebTools webTools(FusionConfig config) {
        return null;
    }

    /**
     * {@code calls} with our own tool loop in front, when there are web tools to run: each loop turn still goes
     * through {@code calls}, so it meets the same limits, retries and cost accounting as any call. Its turns and
     * tool results are journalled in memory, so a loop reissued in this process resumes.
     */
    public static ChatClient withToolLoop(ChatClient calls, ProviderRoutes routes, WebTools web) {
        return web == null ? calls : new ToolLoop(calls, routes, web, ToolSteps.inMemory(TOOL_STEPS_KEPT));
    }

    /** The same, journalled in {@code stateDir} too, so a loop reissued after the process died resumes as well. */
    public static ChatClient withToolLoop(ChatClient calls, ProviderRoutes routes, WebTools web, Path stateDir) {
        return web == null ? calls : new ToolLoop(calls, routes, web, ToolSteps.inFile(stateDir.resolve(TOOL_STEPS_FILE), TOOL_STEPS_KEPT));
    }
}
