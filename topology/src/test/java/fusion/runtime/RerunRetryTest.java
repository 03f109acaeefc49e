package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.calls.CallCapacity;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.schema.FusionResult;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rerun of the same job on the same broker: results that failed for a passing reason get their next try. */
class RerunRetryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> BROKEN = Map.of("fusion.simulator.failure.server-error", "1.0");
    private static final Map<String, String> HEALTHY = Map.of();

    @TempDir
    Path dir;
    private KafkaClusterTestKit kafka;
    private final Topics topics = Topics.withDefaultPrefix();

    @BeforeEach
    void start() throws Exception {
        kafka = KafkaTestCluster.start();
    }

    @AfterEach
    void stop() throws Exception {
        kafka.close();
    }

    private Path dataset(String... panel) throws Exception {
        Path input = dir.resolve("questions.jsonl");
        List<String> lines = new ArrayList<>();
        String models = String.join("\",\"", panel);
        for (int i = 0; i < 6; i++) {
            lines.add("{\"id\":\"r" + i + "\",\"prompt\":\"Question " + i + "\",\"analysis_models\":[\"" + models + "\"],\"model\":\"sim/judge\"}");
        }
        Files.write(input, lines);
        return input;
    }

    /** One run of the job: a fresh streams app (as a new process would have) on the same broker and state dir. */
    private RunOutcome run(Path input, Map<String, String> simulatorSettings, boolean retryFailed) throws Exception {
        Map<String, String> sim = new HashMap<>(Map.of("fusion.simulator.latency-ms", "5"));
        sim.putAll(simulatorSettings);
        Path out = dir.resolve("results.jsonl");
        try (Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(sim));
             OpenAiChatClient client = new OpenAiChatClient(ProviderRoutes.single("simulator", simulator.baseUrl(), null), Duration.ofSeconds(10));
             FusionApp app = FusionApp.start(FusionApp.Settings.embedded(kafka.bootstrapServers(), dir.resolve("streams")), topics,
                     PipelineSettings.defaults(), client, new CallCapacity(64, 16))) {
            RunSummary summary = new BulkRun(kafka.bootstrapServers(), topics,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Duration.ofSeconds(5))
                    .retryFailed(retryFailed).run(input, out);
            List<JsonNode> lines = new ArrayList<>();
            for (String line : Files.readAllLines(out)) lines.add(JSON.readTree(line));
            return new RunOutcome(summary, lines, simulator.callCount());
        }
    }

    record RunOutcome(RunSummary summary, List<JsonNode> results, long modelCalls) {}

    @Test
    @DisplayName("every panel failed with 5xx → the rerun tries each again as attempt 2, and its ok result replaces the error on the topic")
    void passingFailuresAreTriedAgain() throws Exception {
        Path input = dataset("sim/alpha", "sim/beta");

        RunOutcome first = run(input, BROKEN, true);
        assertThat(first.results()).hasSize(6).allSatisfy(r -> {
            assertThat(r.get("status").asText()).isEqualTo("error");
            assertThat(r.get("failure_reason").asText()).isEqualTo("all_panels_failed");
        });

        RunOutcome second = run(input, HEALTHY, true);

        assertThat(second.summary().retriedResults()).isEqualTo(6);
        assertThat(second.summary().ok()).isEqualTo(6);
        assertThat(second.results()).hasSize(6).allSatisfy(r -> assertThat(r.get("status").asText()).isEqualTo("ok"));
        Map<String, FusionResult> latest = new HashMap<>();
        TopicSnapshot.read(Map.of("bootstrap.servers", kafka.bootstrapServers()), topics.results(),
                latest::put);
        assertThat(latest).hasSize(6);
        assertThat(latest.values()).allSatisfy(r -> {
            assertThat(r.getAttempt()).isEqualTo(2);
            assertThat(r.getStatus().name()).isEqualTo("ok");
        });

        RunOutcome third = run(input, HEALTHY, true);
        assertThat(third.modelCalls()).as("ok results are final: a third run pays for nothing").isZero();
        assertThat(third.results()).hasSize(6).allSatisfy(r -> assertThat(r.get("status").asText()).isEqualTo("ok"));
    }

    @Test
    @DisplayName("--no-retry-failed → failed results stay as they are, and no model is called")
    void noRetryFailedKeepsThem() throws Exception {
        Path input = dataset("sim/alpha");
        run(input, BROKEN, true);

        RunOutcome second = run(input, HEALTHY, false);

        assertThat(second.modelCalls()).isZero();
        assertThat(second.summary().retriedResults()).isZero();
        assertThat(second.results()).allSatisfy(r -> assertThat(r.get("status").asText()).isEqualTo("error"));
    }

    @Test
    @DisplayName("a failure that stays (400 bad request) is final: the rerun does not send it again")
    void lastingFailuresAreFinal() throws Exception {
        Path input = dataset("sim/always-400");
        run(input, HEALTHY, true);

        RunOutcome second = run(input, HEALTHY, true);

        assertThat(second.modelCalls()).isZero();
        assertThat(second.results()).hasSize(6).allSatisfy(r -> assertThat(r.get("failed_models").get(0).get("reason").asText())
                .isEqualTo("bad_request"));
    }
}
