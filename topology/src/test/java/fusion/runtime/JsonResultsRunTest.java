package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.topology.ResultSerde;
import fusion.topology.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fusion run --simulate} with {@code fusion.results.format=json}, as a real process, run twice on the same state. */
class JsonResultsRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 8;

    @TempDir
    Path dir;

    @Test
    @DisplayName("fusion.results.format=json → every row gets exactly one result, the topic holds JSON; a rerun on the same state reads it back and tries the failed rows again")
    void runAndRerunOnJsonResults() throws Exception {
        Path input = dir.resolve("rows.jsonl");
        Files.write(input, IntStream.range(0, ROWS).mapToObj(i -> "{\"id\":\"row-" + i + "\",\"prompt\":\"Question " + i
                + "\",\"analysis_models\":[\"sim/alpha\",\"sim/beta\"],\"model\":\"sim/judge\"}").toList());
        Path out = dir.resolve("results.jsonl");
        List<String> run = List.of("run", input.toString(), "--simulate", "--out", out.toString(), "--state-dir", dir.resolve("state").toString(),
                "--progress-seconds", "1", "--set", "fusion.results.format=json",
                // a broken provider fails fast: two attempts, and no circuit holding the calls back
                "--set", "fusion.calls.retry.max-attempts=2", "--set", "fusion.calls.retry.base-ms=1", "--set", "fusion.calls.circuit.min-calls=1000");

        List<String> broken = new ArrayList<>(run);
        broken.addAll(List.of("--set", "fusion.simulator.failure.server-error=1.0"));
        try (FusionProcess first = FusionProcess.start(dir, dir.resolve("first.log"), broken.toArray(String[]::new))) {
            assertThat(first.waitFor(Duration.ofSeconds(120))).as(first.output()).isZero();
        }
        assertThat(Files.readAllLines(out)).hasSize(ROWS);
        assertThat(ResultsFile.byId(out)).hasSize(ROWS).allSatisfy((id, r) -> assertThat(r.get("failure_reason").asText()).isEqualTo("all_panels_failed"));

        String rerunOutput;
        try (FusionProcess second = FusionProcess.start(dir, dir.resolve("second.log"), run.toArray(String[]::new))) {
            assertThat(second.waitFor(Duration.ofSeconds(120))).as(second.output()).isZero();
            rerunOutput = second.output();
        }
        assertThat(Files.readAllLines(out)).hasSize(ROWS);
        assertThat(ResultsFile.byId(out)).hasSize(ROWS).allSatisfy((id, r) -> {
            assertThat(r.get("status").asText()).as(id).isEqualTo("ok");
            assertThat(r.get("attempt").asInt()).as(id).isEqualTo(2);
        });
        assertThat(rerunOutput).as("the rerun read the first run's JSON results and chose the failed ones")
                .contains(ROWS + " results that had failed for a passing reason were tried again");
        assertThat(rerunOutput).as("cost per model comes from each result's call ledger").containsPattern("(?m)^  sim/alpha +\\d+ +\\d+ +\\d+ +\\d+\\.\\d+$");

        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("state").resolve("kafka"))) {
            Map<String, List<JsonNode>> tries = new HashMap<>();
            for (var record : CommittedResults.records(broker.bootstrapServers(), Topics.withDefaultPrefix().results().name())) {
                JsonNode value = JSON.readTree(record.value());
                assertThat(record.headers().lastHeader(ResultSerde.CALLS_HEADER)).as(record.key()).isNotNull();
                assertThat(value.get("type").asText()).isEqualTo("openrouter:fusion");
                tries.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(value);
            }
            assertThat(tries).as("one result per row and try, each a JSON object").hasSize(ROWS).allSatisfy((id, results) -> {
                assertThat(results).extracting(r -> r.path("attempt").asInt(1) + " " + r.get("status").asText()).containsExactly("1 error", "2 ok");
            });
        }
    }
}
