package fusion.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.model.ChatMessage;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.model.tools.ToolLoop;
import fusion.model.tools.ToolSteps;
import fusion.web.ToolResult;
import fusion.web.WebSource;
import fusion.web.WebTools;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Simulated panel models calling the web tools, through our own tool loop over real HTTP. */
class SimulatedToolUseTest {
    private Simulator simulator;
    private OpenAiChatClient http;
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final WebTools web = new WebTools() {
        @Override public boolean searchAvailable() { return true; }

        @Override public ToolResult search(String query) {
            asked.add("search " + query);
            return new ToolResult("1. About " + query + " - https://example.org/" + query.replace(' ', '-'),
                    List.of(new WebSource("https://example.org/" + query.replace(' ', '-'), query)), false);
        }

        @Override public ToolResult fetch(String url) {
            asked.add("fetch " + url);
            return new ToolResult("Simulated page text for " + url, List.of(new WebSource(url, null)), false);
        }
    };

    @BeforeEach
    void start() {
        simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of("fusion.simulator.latency-ms", "0")));
        http = new OpenAiChatClient(ProviderRoutes.single("simulator", simulator.baseUrl(), null), Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        http.close();
        simulator.close();
    }

    private static ChatRequest panelCall(String model, String prompt, List<String> tools) {
        return ChatRequest.of(model, List.of(ChatMessage.user(prompt))).withTools(tools, 8);
    }

    @Test
    @DisplayName("some prompts make simulated panel models call web tools; their answers then cite the results, the same on every run")
    void simulatedPanelUsesTools() {
        List<String> prompts = IntStream.range(0, 12).mapToObj(i -> "Should a city of size " + i + " adopt congestion pricing?").toList();
        long withSources;
        List<String> firstRun;
        try (ToolLoop loop = new ToolLoop(http, ProviderRoutes.single("simulator", simulator.baseUrl(), null), web, ToolSteps.NONE)) {
            List<ChatOutcome> outcomes = prompts.stream()
                    .map(p -> loop.complete(panelCall("openai/gpt-4.1", p, List.of("web_search", "web_fetch"))).join()).toList();
            assertThat(outcomes).allSatisfy(o -> assertThat(o.succeeded()).isTrue());
            withSources = outcomes.stream().filter(o -> !o.sources().isEmpty()).count();
            assertThat(outcomes.stream().filter(o -> !o.sources().isEmpty()))
                    .allSatisfy(o -> {
                        assertThat(o.content()).contains("tool result(s)");
                        assertThat(o.usage().toolCalls()).isPositive();
                    });
            firstRun = outcomes.stream().map(ChatOutcome::content).toList();
            List<String> again = prompts.stream()
                    .map(p -> loop.complete(panelCall("openai/gpt-4.1", p, List.of("web_search", "web_fetch"))).join().content()).toList();
            assertThat(again).isEqualTo(firstRun);
        }
        assertThat(withSources).isBetween(1L, (long) prompts.size() - 1);
        assertThat(asked).isNotEmpty();
    }

    @Test
    @DisplayName("a call offering no tools never gets tool calls back from the simulator")
    void noToolsNoToolCalls() {
        List<ChatOutcome> outcomes = IntStream.range(0, 8)
                .mapToObj(i -> http.complete(panelCall("openai/gpt-4.1", "Is remote work here to stay, case " + i + "?", List.of())).join())
                .toList();
        assertThat(outcomes).allSatisfy(o -> {
            assertThat(o.succeeded()).isTrue();
            assertThat(o.toolCalls()).isEmpty();
            assertThat(o.content()).doesNotContain("tool result");
        });
    }
}
