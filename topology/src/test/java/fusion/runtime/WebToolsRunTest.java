package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.model.ProviderRoutes;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import fusion.topology.Topics;
import fusion.web.ToolResult;
import fusion.web.WebSource;
import fusion.web.WebTools;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A simulated run on a real broker whose panel models use the web tools through our own tool loop. */
class WebToolsRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> PANEL = Set.of("sim/alpha", "sim/beta", "sim/gamma");

    @TempDir
    Path dir;

    /** Pages and search hits made up from the request, as the real tools' shape: text for the model, the URL as a source. */
    static final class ScriptedWeb implements WebTools {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override public boolean searchAvailable() { return true; }

        @Override public ToolResult search(String query) {
            calls.add("search " + query);
            String url = "https://search.example/" + query.replace(' ', '-');
            return new ToolResult("1. " + query + "\n   " + url + "\n   A study of " + query + ".", List.of(new WebSource(url, query)), false);
        }

        @Override public ToolResult fetch(String url) {
            calls.add("fetch " + url);
            return new ToolResult("Title: " + url + "\n\nWhat the page says about its topic.", List.of(new WebSource(url, url)), false);
        }
    }

    @Test
    @DisplayName("a simulated run: rows naming no tools get the web tools, some panel models use them, and those results carry sources; \"tools\": [] rows get none")
    void simulatedRunCarriesSources() throws Exception {
        Path input = dir.resolve("questions.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            lines.add("{\"id\":\"w" + i + "\",\"prompt\":\"Question " + i + ": should cities adopt congestion pricing?\","
                    + "\"analysis_models\":[\"sim/alpha\",\"sim/beta\",\"sim/gamma\"],\"model\":\"sim/judge\",\"max_tool_calls\":4}");
        }
        for (int i = 0; i < 12; i++) {
            lines.add("{\"id\":\"n" + i + "\",\"prompt\":\"Question " + i + ": should cities adopt congestion pricing?\","
                    + "\"analysis_models\":[\"sim/alpha\",\"sim/beta\",\"sim/gamma\"],\"model\":\"sim/judge\",\"tools\":[]}");
        }
        Files.write(input, lines);
        Path output = dir.resolve("results.jsonl");
        ScriptedWeb web = new ScriptedWeb();
        RunSummary summary;

        try (KafkaClusterTestKit kafka = KafkaTestCluster.start();
             Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of("fusion.simulator.latency-ms", "10")))) {
            ProviderRoutes routes = ProviderRoutes.single("simulator", simulator.baseUrl(), null);
            FusionConfig config = FusionConfig.load(null, Map.of(), Map.of());
            try (var client = ModelCalls.open(routes, config, new SimpleMeterRegistry());
                 var calls = ModelCalls.withToolLoop(client, routes, web, dir)) {
                Topics topics = Topics.withDefaultPrefix();
                var settings = FusionApp.Settings.embedded(kafka.bootstrapServers(), dir.resolve("streams"));
                try (FusionApp app = FusionApp.start(settings, topics, config.pipeline(), calls, new fusion.calls.CallCapacity(256, 64))) {
                    summary = new BulkRun(kafka.bootstrapServers(), topics,
                            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Duration.ofSeconds(1)).run(input, output);
                }
            }
        }

        assertThat(summary.ok()).isEqualTo(24);
        List<JsonNode> results = new ArrayList<>();
        for (String line : Files.readAllLines(output)) results.add(JSON.readTree(line));
        List<JsonNode> withTools = results.stream().filter(r -> r.get("request_id").asText().startsWith("w")).toList();
        List<JsonNode> without = results.stream().filter(r -> r.get("request_id").asText().startsWith("n")).toList();
        assertThat(withTools).hasSize(12);
        assertThat(without).hasSize(12);

        List<JsonNode> cited = withTools.stream().filter(r -> !r.get("sources").isEmpty()).toList();
        assertThat(cited).as("some prompts send the simulated panel to the web").isNotEmpty().hasSizeLessThan(12);
        for (JsonNode r : cited) {
            assertThat(r.get("status").asText()).isEqualTo("ok");
            List<String> urls = new ArrayList<>();
            for (JsonNode s : r.get("sources")) {
                urls.add(s.get("url").asText());
                assertThat(s.get("models")).isNotEmpty();
                s.get("models").forEach(m -> assertThat(PANEL).contains(m.asText()));
            }
            assertThat(urls).as("one entry per URL").doesNotHaveDuplicates();
            assertThat(r.at("/usage/panel/tool_calls").asInt()).isPositive();
            assertThat(r.get("responses")).anySatisfy(a -> assertThat(a.get("content").asText()).contains("tool result(s)"));
        }
        assertThat(without).allSatisfy(r -> {
            assertThat(r.get("sources")).isEmpty();
            assertThat(r.at("/usage/panel").has("tool_calls")).isFalse();
            assertThat(r.get("responses")).allSatisfy(a -> assertThat(a.get("content").asText()).doesNotContain("tool result"));
        });
        assertThat(web.calls).isNotEmpty();
        assertThat(summary.toolCalls()).isEqualTo(cited.stream().mapToLong(r -> r.at("/usage/total/tool_calls").asLong()).sum());
        assertThat(summary.describe()).contains("web tool calls");
        assertThat(Files.readAllLines(dir.resolve("tool-steps.jsonl"))).as("turns and tool calls journalled in the state directory")
                .anySatisfy(line -> assertThat(line).contains("\"tool\"")).anySatisfy(line -> assertThat(line).contains("\"turn\""));
    }
}
