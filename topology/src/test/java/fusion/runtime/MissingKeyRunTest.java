package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A provider that refuses the run's key: the job stops at once, and the dataset is not turned into final errors. */
class MissingKeyRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-test-only-0123456789";
    private static final int ROWS = 20;

    @TempDir
    Path dir;

    @Test
    @DisplayName("401 for every call → fusion run stops with one line naming the key's variable; run again with the key → every row ok")
    void refusedKeyStopsThenRerunSucceeds() throws Exception {
        Path input = dir.resolve("rows.jsonl");
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            rows.add("{\"id\":\"k" + i + "\",\"prompt\":\"Question " + i + "\",\"analysis_models\":[\"sim/alpha\",\"sim/beta\"],\"model\":\"sim/judge\"}");
        }
        Files.write(input, rows);
        Path results = dir.resolve("results.jsonl");
        try (Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of(
                "fusion.simulator.latency-ms", "20", "fusion.simulator.require-key", KEY)))) {
            Path config = dir.resolve("fusion.properties");
            Files.writeString(config, String.join("\n",
                    "fusion.providers=sim",
                    "fusion.provider.default=sim",
                    "fusion.provider.sim.base-url=" + simulator.baseUrl(),
                    "fusion.provider.sim.api-key-env=SIM_TEST_KEY"));
            String[] command = {"run", input.toString(), "--out", results.toString(), "--config", config.toString(),
                    "--state-dir", dir.resolve("state").toString()};

            try (FusionProcess withoutKey = FusionProcess.start(dir, dir.resolve("first.log"), Map.of(), command)) {
                assertThat(withoutKey.waitFor(Duration.ofSeconds(120))).as(withoutKey.output()).isEqualTo(2);
                String output = withoutKey.output();
                assertThat(output).contains("fusion run: stopped: provider sim refused its API key").contains("set SIM_TEST_KEY")
                        .as("no stack trace").doesNotContain("\tat ");
            }
            List<JsonNode> afterRefusal = read(results);
            assertThat(afterRefusal).as("no row was stored as an error for want of a key")
                    .noneMatch(r -> r.get("status").asText().equals("error"));

            try (FusionProcess withKey = FusionProcess.start(dir, dir.resolve("second.log"), Map.of("SIM_TEST_KEY", KEY), command)) {
                assertThat(withKey.waitFor(Duration.ofSeconds(120))).as(withKey.output()).isZero();
                assertThat(withKey.output()).doesNotContain(KEY);
            }
            List<JsonNode> finalResults = read(results);
            assertThat(finalResults).hasSize(ROWS).allSatisfy(r -> assertThat(r.get("status").asText()).isEqualTo("ok"));
        }
    }

    private static List<JsonNode> read(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (String line : Files.readAllLines(file)) if (!line.isBlank()) out.add(JSON.readTree(line));
        return out;
    }
}
