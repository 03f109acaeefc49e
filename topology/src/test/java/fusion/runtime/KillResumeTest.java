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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real {@code fusion run} process, killed with SIGKILL halfway, then run again with the same command. */
class KillResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 60;
    private static final int PER_MODEL = 4;
    private static final List<String> PANEL = List.of("sim/alpha", "sim/beta");

    @TempDir
    Path dir;

    @Test
    @DisplayName("kill -9 mid-run, same command again → one result per row; no panel call repeated for requests already answered")
    void killedRunResumes() throws Exception {
        Path requestLog = dir.resolve("simulator-requests.jsonl");

        try (Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of(
                "fusion.simulator.latency-ms", "400", "fusion.simulator.request-log", requestLog.toString())))) {
            SimulatedJob job = SimulatedJob.write(dir, ROWS, simulator.baseUrl(), PER_MODEL);
            Path results = job.results();
            String[] command = job.command();

            Set<String> answeredBeforeKill;
            try (FusionProcess first = FusionProcess.start(dir, dir.resolve("first.log"), command)) {
                long deadline = System.currentTimeMillis() + 90_000;
                while (ResultsFile.byId(results).size() < ROWS / 3 && first.alive() && System.currentTimeMillis() < deadline) Thread.sleep(50);
                assertThat(first.alive()).as("the first run is still going when killed:\n" + first.output()).isTrue();
                first.kill();
                answeredBeforeKill = ResultsFile.byId(results).keySet();
            }
            assertThat(answeredBeforeKill).hasSizeBetween(ROWS / 3, ROWS - 1);

            long reportedRepeats;
            try (FusionProcess second = FusionProcess.start(dir, dir.resolve("second.log"), command)) {
                long started = System.currentTimeMillis();
                assertThat(second.waitFor(Duration.ofSeconds(120))).as(second.output()).isZero();
                System.out.println("second run took " + (System.currentTimeMillis() - started) + " ms:\n" + second.output());
                var m = java.util.regex.Pattern.compile("(\\d+) calls were sent again after a crash").matcher(second.output());
                reportedRepeats = m.find() ? Long.parseLong(m.group(1)) : 0;
            }

            List<String> lines = Files.readAllLines(results);
            Map<String, JsonNode> all = ResultsFile.byId(results);
            assertThat(lines).hasSize(ROWS);
            assertThat(all).hasSize(ROWS);
            all.values().forEach(r -> assertThat(r.get("status").asText()).isEqualTo("ok"));

            Map<String, Integer> panelCallsPerPrompt = new HashMap<>();
            for (String line : Files.readAllLines(requestLog)) {
                JsonNode call = JSON.readTree(line);
                // a call's first turn: later turns of its web tool loop are the same call going on, not another call
                boolean firstTurn = call.path("tool_results").asInt() == 0;
                if (PANEL.contains(call.get("model").asText()) && firstTurn) panelCallsPerPrompt.merge(call.get("prompt").asText(), 1, Integer::sum);
            }
            for (String id : answeredBeforeKill) {
                String prompt = "Question " + id.substring("row-".length()) + ": weigh approach A against approach B";
                assertThat(panelCallsPerPrompt.get(prompt)).as("panel calls for " + id + ", answered before the kill").isEqualTo(PANEL.size());
            }
            int repeated = panelCallsPerPrompt.values().stream().mapToInt(n -> n - PANEL.size()).sum();
            // Repeated: the calls whose answer was not committed at the kill (in flight, or answered in the open
            // transaction). The second run issues exactly those again, and its summary says how many.
            assertThat(repeated).as("only calls left pending at the kill are made again, and the summary counts them")
                    .isLessThanOrEqualTo((int) reportedRepeats);
        }
    }
}
