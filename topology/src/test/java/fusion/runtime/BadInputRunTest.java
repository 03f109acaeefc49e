package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import fusion.topology.PipelineSettings;
import fusion.topology.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fusion run}'s path on a real broker, over a file of bad rows: the run completes and every row is answered once. */
class BadInputRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String good(String id) {
        return "{\"id\":\"" + id + "\",\"prompt\":\"Compare A and B (" + id + ")\",\"analysis_models\":[\"sim/alpha\",\"sim/beta\"],"
                + "\"model\":\"sim/judge\"}";
    }

    @Test
    @DisplayName("a file with a BOM, invalid UTF-8, a 3 MB row, an empty panel, trailing garbage and other bad rows → the run completes; "
            + "each good row one ok result, each bad row one clear error")
    void badRowsNeverStopTheRun() throws Exception {
        Path input = dir.resolve("mixed.jsonl");
        var file = new ByteArrayOutputStream();
        file.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        file.writeBytes((good("g1") + "\r\n").getBytes(StandardCharsets.UTF_8));                                  // line 1, after the BOM
        file.writeBytes("{\"id\":\"latin1\",\"prompt\":\"caf".getBytes(StandardCharsets.UTF_8));                  // line 2: Latin-1
        file.writeBytes(new byte[] {(byte) 0xE9, '"', '}', '\n'});
        file.writeBytes(("{\"id\":\"huge\",\"prompt\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}\n").getBytes(StandardCharsets.UTF_8)); // line 3
        file.writeBytes((good("g2") + "\n").getBytes(StandardCharsets.UTF_8));                                    // line 4
        file.writeBytes("{\"id\":\"empty-panel\",\"prompt\":\"q\",\"analysis_models\":[]}\n".getBytes(StandardCharsets.UTF_8)); // line 5
        file.writeBytes((good("trailing") + " and more\n").getBytes(StandardCharsets.UTF_8));                     // line 6
        file.writeBytes("\n[1, 2]\n".getBytes(StandardCharsets.UTF_8));                                           // lines 7, 8
        file.writeBytes("{\"id\":\"g1\",\"prompt\":\"another question\"}\n".getBytes(StandardCharsets.UTF_8));     // line 9: g1 again
        file.writeBytes("{\"id\":\"tokens\",\"prompt\":\"q\",\"max_completion_tokens\":1e12}\n".getBytes(StandardCharsets.UTF_8)); // line 10
        file.writeBytes((good("g3") + "\n").getBytes(StandardCharsets.UTF_8));                                    // line 11
        Files.write(input, file.toByteArray());
        Path output = dir.resolve("results.jsonl");

        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        RunSummary summary;
        try (KafkaClusterTestKit kafka = KafkaTestCluster.start();
             Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of("fusion.simulator.latency-ms", "20")));
             OpenAiChatClient client = new OpenAiChatClient(ProviderRoutes.single("simulator", simulator.baseUrl(), null), Duration.ofSeconds(30))) {
            Topics topics = Topics.withDefaultPrefix();
            var settings = FusionApp.Settings.embedded(kafka.bootstrapServers(), dir.resolve("streams"));
            try (FusionApp app = FusionApp.start(settings, topics, PipelineSettings.defaults(), client, new fusion.calls.CallCapacity(64, 16))) {
                summary = new BulkRun(kafka.bootstrapServers(), topics, new PrintStream(progress, true, StandardCharsets.UTF_8),
                        Duration.ofSeconds(1)).run(input, output);
            }
        }

        Map<String, JsonNode> byId = new HashMap<>();
        List<String> written = Files.readAllLines(output);
        for (String line : written) {
            JsonNode r = JSON.readTree(line);
            assertThat(byId.put(r.get("request_id").asText(), r)).as("one result for %s", r.get("request_id")).isNull();
        }
        assertThat(byId).containsOnlyKeys("g1", "g2", "g3", "latin1", "huge", "empty-panel", "trailing", "line-8", "g1~dup-line-9", "tokens");
        for (String ok : List.of("g1", "g2", "g3")) {
            assertThat(byId.get(ok).get("status").asText()).as(ok).isEqualTo("ok");
            assertThat(byId.get(ok).get("responses")).as(ok).hasSize(2);
        }
        assertThat(error(byId, "latin1")).contains("mixed.jsonl line 2 is not valid UTF-8: byte 0xE9");
        assertThat(error(byId, "huge")).contains("mixed.jsonl line 3: the request is 3,145,", "over the limit of 1,048,576 bytes",
                "fusion.max-request-bytes");
        assertThat(error(byId, "empty-panel")).contains("analysis_models is empty; list 1 to 8 model ids, or leave the field out for the default panel");
        assertThat(error(byId, "trailing")).contains("mixed.jsonl line 6 has more after its JSON object");
        assertThat(error(byId, "line-8")).contains("mixed.jsonl line 8 is a JSON array, not an object");
        assertThat(error(byId, "tokens")).contains("max_completion_tokens is 1.0E12, out of range");
        assertThat(byId.get("g1~dup-line-9").get("failure_reason").asText()).isEqualTo("duplicate_request_id");
        assertThat(byId.get("g1~dup-line-9").get("error").asText()).contains("mixed.jsonl line 9 repeats request id 'g1' of line 1");
        for (JsonNode r : byId.values()) {
            if (r.hasNonNull("error")) assertThat(r.get("error").asText()).doesNotContain("Exception").doesNotContain("\tat ");
        }
        assertThat(summary.requests()).isEqualTo(10);
        assertThat(summary.ok()).isEqualTo(3);
        assertThat(summary.duplicateIds()).isEqualTo(1);
        assertThat(summary.describe()).contains("1 duplicate request ids");
        assertThat(progress.toString(StandardCharsets.UTF_8)).doesNotContain("Exception");
    }

    private static String error(Map<String, JsonNode> byId, String id) {
        JsonNode r = byId.get(id);
        assertThat(r.get("status").asText()).as(id).isEqualTo("error");
        assertThat(r.get("failure_reason").asText()).as(id).isEqualTo("invalid_request");
        return r.get("error").asText();
    }
}
