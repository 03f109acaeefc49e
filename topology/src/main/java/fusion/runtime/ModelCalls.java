package fusion.runtime;

import fusion.model.ChatClient;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.model.resilience.ResilientChatClient;
import fusion.model.tools.ToolLoop;
import fusion.model.tools.ToolSteps;
import fusion.simulator.Simulator;
import fusion.web.LocalWebTools;
import fusion.web.WebTools;
import fusion.web.WebToolsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model client every long-running command uses: HTTP to the configured providers, wrapped in
 * their limits (in flight, requests and tokens per minute, Retry-After), retries with full jitter
 * and a circuit per model; and, around that, our own tool loop for providers that run no server tools.
 */
public final class ModelCalls {
    private static final Logger log = LoggerFactory.getLogger(ModelCalls.class);
    /** Loop turns and tool results kept for a reissued loop to replay (see {@link ToolSteps}). */
    static final int TOOL_STEPS_KEPT = 20_000;
    static final String TOOL_STEPS_FILE = "tool-steps.jsonl";

    private ModelCalls() {}

    public static ResilientChatClient open(ProviderRoutes routes, FusionConfig config, MeterRegistry registry) {
        OpenAiChatClient http = new OpenAiChatClient(routes, config.callTimeout());
        return ResilientChatClient.fromProperties(http, config.values(), registry);
    }

    /**
     * The web tools our own loop runs on a model's behalf, for providers that run no server tools: the SSRF-safe
     * web_fetch, and web_search when a backend is set ({@code fusion.web-fetch.*}, {@code fusion.web-search.*}).
     *
     * @param simulator when the run is simulated: its own search endpoint and pages, on loopback, searched and
     *                  allowlisted unless the settings say otherwise
     * @throws fusion.web.WebToolsConfigException naming the setting, when one is wrong
     */
    public static WebTools webTools(FusionConfig config, Simulator simulator) {
        Map<String, String> settings = new HashMap<>(config.values());
        if (simulator != null) {
            settings.putIfAbsent(WebToolsConfig.BACKEND, "searxng");
            settings.putIfAbsent(WebToolsConfig.SEARCH_URL, simulator.webUrl());
            String own = "127.0.0.1:" + simulator.port();
            settings.merge(WebToolsConfig.ALLOW, own, (given, added) -> given.isBlank() ? added : given + "," + added);
        }
        LocalWebTools tools = LocalWebTools.from(settings);
        if (!tools.searchAvailable()) {
            log.warn("web_search is not offered to models whose provider runs no server tools: no search backend is set "
                    + "({}=searxng|brave|tavily and {}); web_fetch is", WebToolsConfig.BACKEND, WebToolsConfig.SEARCH_URL);
        }
        return tools;
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
