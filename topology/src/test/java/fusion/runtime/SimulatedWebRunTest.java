package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fusion run --simulate as a user runs it: the simulator's models ask for web_search and web_fetch, our own tool loop
 * runs them through the real guarded fetch and the SearxNG backend, both pointed at the simulator on loopback.
 */
class SimulatedWebRunTest {
    private static final Duration FINISH = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    @DisplayName("simulated run → the loop's searches and fetched pages are in results' sources and counted in the summary; --no-tools → none")
    void sourcesFromOurLoop() throws Exception {
        Path input = dir.resolve("questions.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 8; i++) lines.add("{\"id\":\"q" + i + "\",\"prompt\":\"Question " + i + ": should a city adopt congestion pricing?\"}");
        Files.write(input, lines);

        String withTools = run(input, dir.resolve("with.jsonl"), "with");
        Map<String, JsonNode> results = ResultsFile.byId(dir.resolve("with.jsonl"));
        List<String> urls = new ArrayList<>();
        results.values().forEach(r -> r.path("sources").forEach(s -> urls.add(s.path("url").asText())));
        assertThat(urls).as("pages fetched or found by search, on the simulator").isNotEmpty()
                .allMatch(u -> u.startsWith("http://127.0.0.1:"));
        assertThat(withTools).containsPattern("\\d+ web tool calls");

        String without = run(input, dir.resolve("without.jsonl"), "without", "--no-tools");
        assertThat(ResultsFile.byId(dir.resolve("without.jsonl")).values()).allSatisfy(r -> assertThat(r.path("sources")).isEmpty());
        assertThat(without).doesNotContain("web tool calls");
    }

    private String run(Path input, Path out, String name, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", input.toString(), "--out", out.toString(), "--simulate",
                "--state-dir", dir.resolve("state-" + name).toString()));
        args.addAll(List.of(extra));
        try (FusionProcess run = FusionProcess.start(dir, dir.resolve(name + ".log"), args.toArray(String[]::new))) {
            assertThat(run.waitFor(FINISH)).as(run.output()).isZero();
            return run.output();
        }
    }
}
