package fusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.model.ChatClient;
import fusion.model.ProviderRoutes;
import fusion.runtime.BulkRun;
import fusion.runtime.FinishedResults;
import fusion.runtime.FusionApp;
import fusion.runtime.FusionConfig;
import fusion.runtime.ModelCalls;
import fusion.runtime.SimulatedCluster;
import fusion.schema.FusionResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fusion rejudge: a finished results file judged again by another judge, paying only the judge. */
class RejudgeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    @DisplayName("rejudge over 10 finished results with another judge → judge calls only (the simulator's log has no panel call), same ids, new judge")
    void rejudgeCallsOnlyTheJudge() throws Exception {
        Path questions = questions(10);
        Path results = dir.resolve("results.jsonl");
        assertThat(CommandRun.of("run", questions.toString(), "--out", results.toString(), "--simulate", "--state-dir", dir.resolve("run").toString(),
                "--set", "fusion.simulator.latency-ms=5").code()).isZero();
        Map<String, JsonNode> before = byId(results);
        assertThat(before).hasSize(10);

        Path log = dir.resolve("requests.log");
        Path rejudged = dir.resolve("rejudged.jsonl");
        CommandRun rejudge = CommandRun.of("rejudge", results.toString(), "--input", questions.toString(), "--judge", "sim/judge-b",
                "--out", rejudged.toString(), "--simulate", "--state-dir", dir.resolve("rejudge").toString(),
                "--set", "fusion.simulator.latency-ms=5", "--set", "fusion.simulator.request-log=" + log);

        assertThat(rejudge.code()).as(rejudge.out()).isZero();
        List<String> calledModels = Files.readAllLines(log).stream().map(l -> read(l).get("model").asText()).toList();
        assertThat(calledModels).hasSize(10).containsOnly("sim/judge-b");
        Map<String, JsonNode> after = byId(rejudged);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        for (String id : before.keySet()) {
            JsonNode r = after.get(id);
            assertThat(r.get("status").asText()).isEqualTo("ok");
            assertThat(r.get("judge_model").asText()).isEqualTo("sim/judge-b");
            assertThat(r.get("responses")).isEqualTo(before.get(id).get("responses"));
            assertThat(r.has("analysis")).isTrue();
            assertThat(r.path("metadata").path("rejudged_as").asText()).isEqualTo(id + "~rejudge-sim/judge-b");
            assertThat(r.path("usage").path("panel").path("calls").asInt()).isZero();
            assertThat(r.path("usage").path("panel").path("reused_calls").asInt()).isEqualTo(2);
        }
        assertThat(rejudge.out()).contains("rejudged 10 results with sim/judge-b: 0 panel calls made, 20 panel answers taken from")
                .contains("10 model calls").contains("20 panel answers reused or supplied with the request, not paid");
    }

    @Test
    @DisplayName("rejudge --from-topic on a cluster → judge calls only, by the serving app; the original results stay on the topic beside <id>~rejudge-<judge>")
    void rejudgeFromTheResultsTopic() throws Exception {
        try (SimulatedCluster cluster = SimulatedCluster.start(dir, Map.of("fusion.simulator.latency-ms", "5"))) {
            Path config = cluster.configFile("rejudge", Map.of("fusion.application-id", "rejudge", "fusion.partitions", "2",
                    "fusion.replication-factor", "1"));
            FusionConfig settings = FusionConfig.load(config, Map.of(), Map.of());
            try (ChatClient client = ModelCalls.open(ProviderRoutes.fromProperties(settings.values(), name -> null), settings, new SimpleMeterRegistry());
                 FusionApp app = FusionApp.start(FusionApp.Settings.cluster(settings, cluster.bootstrapServers(), dir.resolve("serve")),
                         settings.topics(), settings.pipeline(), client, settings.capacity())) {
                Path questions = questions(4);
                new BulkRun(cluster.bootstrapServers(), settings.topics(), new PrintStream(OutputStream.nullOutputStream()), Duration.ofSeconds(5))
                        .run(questions, dir.resolve("results.jsonl"));
                int before = cluster.modelCalls().size();

                Path rejudged = dir.resolve("rejudged.jsonl");
                CommandRun rejudge = CommandRun.of("rejudge", "--from-topic", "--bootstrap-servers", cluster.bootstrapServers(), "--config", config.toString(),
                        "--input", questions.toString(), "--judge", "sim/judge-b", "--out", rejudged.toString(), "--state-dir", dir.resolve("rejudge").toString());

                assertThat(rejudge.code()).as(rejudge.err()).isZero();
                assertThat(cluster.modelCalls().subList(before, cluster.modelCalls().size())).extracting(c -> c.get("model").asText())
                        .hasSize(4).containsOnly("sim/judge-b");
                Map<String, JsonNode> after = byId(rejudged);
                assertThat(after.keySet()).containsExactlyInAnyOrder("q0", "q1", "q2", "q3");
                assertThat(after.get("q0").path("usage").path("panel").path("saved_cost").asDouble())
                        .as("the topic's call ledger gives each answer's own cost").isPositive();
                Map<String, FusionResult> onTopic = FinishedResults.fromTopic(Map.of("bootstrap.servers", cluster.bootstrapServers()), settings.topics().results());
                assertThat(onTopic.get("q0").getJudgeModel()).as("the original result, not replaced").isEqualTo("sim/judge");
                assertThat(onTopic.get("q0~rejudge-sim/judge-b").getJudgeModel()).isEqualTo("sim/judge-b");
            }
        }
    }

    @Test
    @DisplayName("a results file with a line that is no result → one line naming the file and the line, exit 2")
    void badResultsLine() throws Exception {
        Path results = Files.writeString(dir.resolve("results.jsonl"), "{\"request_id\":\"a\",\"status\":\"ok\"}\n{\"status\":\"ok\"}\n");
        Path questions = Files.writeString(dir.resolve("q.jsonl"), "{\"id\":\"a\",\"prompt\":\"Q\"}\n");
        CommandRun o = CommandRun.of("rejudge", results.toString(), "--input", questions.toString(), "--judge", "sim/judge-b", "--out",
                dir.resolve("new.jsonl").toString(), "--simulate");

        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().strip()).isEqualTo("fusion rejudge: results.jsonl line 2 is not a fusion result: request_id is missing");
    }

    /** {@code n} questions to the panel sim/alpha, sim/beta and the judge sim/judge, ids q0, q1, ... */
    private Path questions(int n) throws Exception {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add("{\"id\":\"q" + i + "\",\"prompt\":\"Question " + i + ": weigh approach A against approach B\","
                    + "\"analysis_models\":[\"sim/alpha\",\"sim/beta\"],\"model\":\"sim/judge\"}");
        }
        return Files.write(dir.resolve("questions.jsonl"), rows);
    }

    private static Map<String, JsonNode> byId(Path file) throws Exception {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode r = read(line);
            out.put(r.get("request_id").asText(), r);
        }
        return out;
    }

    private static JsonNode read(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError(line, e);
        }
    }
}
