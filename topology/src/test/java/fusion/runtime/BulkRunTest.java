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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fusion run}'s path on a real broker: produce a dataset, collect a result per request. */
class BulkRunTest {
    private static final Set<String> SPEC_FIELDS = Set.of("type", "request_id", "status", "analysis", "responses", "failed_models",
            "error", "failure_reason", "judge_model", "judge_failure", "final_model", "final_answer", "synthesis_failure",
            "judge_warnings", "judge_order", "usage", "calls", "timings", "metadata", "attempt", "sources");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    @DisplayName("50 requests through fusion run's path with the simulator → exactly 50 results in the spec's JSON shape")
    void fiftyRequestsFiftyResults() throws Exception {
        Path input = dir.resolve("questions.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            lines.add("{\"id\":\"q" + i + "\",\"prompt\":\"Question " + i + ": compare approach A and approach B\","
                    + "\"analysis_models\":[\"sim/alpha\",\"sim/beta\",\"sim/gamma\"],\"model\":\"sim/judge\",\"dataset_row\":" + i + "}");
        }
        Files.write(input, lines);
        Path output = dir.resolve("results.jsonl");

        try (KafkaClusterTestKit kafka = KafkaTestCluster.start();
             Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of("fusion.simulator.latency-ms", "30")));
             OpenAiChatClient client = new OpenAiChatClient(ProviderRoutes.single("simulator", simulator.baseUrl(), null), Duration.ofSeconds(30))) {
            Topics topics = Topics.withDefaultPrefix();
            var settings = FusionApp.Settings.embedded(kafka.bootstrapServers(), dir.resolve("streams"));
            try (FusionApp app = FusionApp.start(settings, topics, PipelineSettings.defaults(), client, new fusion.calls.CallCapacity(256, 64))) {
                ByteArrayOutputStream progress = new ByteArrayOutputStream();
                RunSummary summary = new BulkRun(kafka.bootstrapServers(), topics,
                        new PrintStream(progress, true, StandardCharsets.UTF_8), Duration.ofSeconds(1)).run(input, output);

                assertThat(summary.requests()).isEqualTo(50);
                assertThat(summary.ok()).isEqualTo(50);
            }
        }

        List<String> written = Files.readAllLines(output);
        assertThat(written).hasSize(50);
        Set<String> ids = new HashSet<>();
        for (String line : written) {
            JsonNode result = JSON.readTree(line);
            List<String> fields = new ArrayList<>();
            result.fieldNames().forEachRemaining(fields::add);
            assertThat(SPEC_FIELDS).containsAll(fields);
            assertThat(result.get("status").asText()).isEqualTo("ok");
            assertThat(result.get("analysis").get("consensus").isArray()).isTrue();
            assertThat(result.get("responses")).hasSize(3);
            assertThat(result.get("responses").get(0).get("model").asText()).isEqualTo("sim/alpha");
            assertThat(result.get("responses").get(0).get("content").asText()).contains("simulated");
            assertThat(result.get("metadata").get("dataset_row")).isNotNull();
            ids.add(result.get("request_id").asText());
        }
        assertThat(ids).hasSize(50);
    }

    @Test
    @DisplayName("fusion.audit-topics off (the default) → the panel-tasks and panel-responses topics are not created; on → they are")
    void auditTopicsOnlyWhenOn() throws Exception {
        Topics topics = Topics.withDefaultPrefix();
        try (KafkaClusterTestKit kafka = KafkaTestCluster.start();
             org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                     Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            var settings = FusionApp.Settings.embedded(kafka.bootstrapServers(), dir.resolve("topics"));
            FusionApp.createTopics(settings, topics, false);
            // created is not yet listed: the broker learns of new topics from the controller a moment later
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> admin.listTopics().names().get().contains("fusion.completed-calls"));
            Set<String> off = admin.listTopics().names().get();
            assertThat(off).contains("fusion.requests", "fusion.results", "fusion.completed-calls")
                    .doesNotContain("fusion.panel-tasks", "fusion.panel-responses");

            FusionApp.createTopics(settings, topics, true);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(admin.listTopics().names().get()).contains("fusion.panel-tasks", "fusion.panel-responses"));
        }
    }

    @Test
    @DisplayName("a job's topics exist with 4 partitions, fusion.partitions now says 1 → a topic missing from it is made with 4, co-partitioned with the rest")
    void missingTopicOfAJobTakesTheJobsPartitions() throws Exception {
        assertThat(partitionCounts(new int[] {4, 1}, List.of("fusion.requests", "fusion.panel-tasks", "fusion.panel-responses")))
                .containsOnly(4);
    }

    @Test
    @DisplayName("a new job with fusion.partitions 1 → its topics are made with 1 partition")
    void newJobTakesTheConfiguredPartitions() throws Exception {
        assertThat(partitionCounts(new int[] {1}, Topics.withDefaultPrefix().used(false))).containsOnly(1);
    }

    /**
     * Creates the pipeline's topics once per count in {@code settings}, in that order (audit topics on from the second
     * time), and returns the partition counts of {@code topics}.
     */
    private List<Integer> partitionCounts(int[] settings, List<String> topics) throws Exception {
        Topics pipeline = Topics.withDefaultPrefix();
        try (KafkaClusterTestKit kafka = KafkaTestCluster.start();
             org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                     Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            for (int i = 0; i < settings.length; i++) {
                boolean audit = i > 0;
                FusionApp.createTopics(new FusionApp.Settings(kafka.bootstrapServers(), "fusion", dir.resolve("job" + i), settings[i],
                        (short) 1, 1, Map.of()), pipeline, audit);
                // created is not yet listed: the broker learns of new topics from the controller a moment later
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> admin.listTopics().names().get().containsAll(pipeline.used(audit)));
            }
            return admin.describeTopics(topics).allTopicNames().get().values().stream().map(d -> d.partitions().size()).toList();
        }
    }
}
