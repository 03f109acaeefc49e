package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import fusion.calls.CallCapacity;
import fusion.events.FusionEvent;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.schema.FailedModel;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.schema.Message;
import fusion.schema.ModelResponse;
import fusion.schema.ResultStatus;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import fusion.topology.PipelineSettings;
import fusion.topology.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quorum with grace on a real broker, exactly once: the results and events a read_committed consumer sees. */
class QuorumClusterTest {
    private static final String LAGGARD = "sim/laggard";

    @TempDir
    Path dir;

    @Test
    @DisplayName("2 of 3 with a 1 s grace, the third taking 30 s: one ok result with two answers, the laggard quorum_timeout, and each step's event once")
    void twoOfThreeOnTheBroker() throws Exception {
        try (Rig rig = Rig.start(30_000)) {
            KafkaClusterTestKit kafka = rig.kafka();
            Topics topics = Topics.withDefaultPrefix();
            try (FusionApp app = rig.app(dir.resolve("streams"))) {
                produce(kafka.bootstrapServers(), topics, request("q1", 2, 1000L, "sim/alpha", "sim/beta", LAGGARD));

                List<FusionResult> results = CommittedResults.read(kafka.bootstrapServers(), topics.results().name(), Set.of("q1"),
                        Duration.ofSeconds(25)).get("q1");

                assertThat(results).as("exactly one result").hasSize(1);
                FusionResult r = results.get(0);
                assertThat(r.getStatus()).isEqualTo(ResultStatus.ok);
                assertThat(r.getResponses()).extracting(ModelResponse::getModel).containsExactly("sim/alpha", "sim/beta");
                assertThat(r.getFailedModels()).extracting(FailedModel::getModel, FailedModel::getReason).containsExactly(tuple(LAGGARD, "quorum_timeout"));
                assertThat(r.getQuorum().getRequired()).isEqualTo(2);
                assertThat(r.getQuorum().getAnswered()).isEqualTo(2);

                List<String> steps = events(kafka.bootstrapServers(), topics, "q1");
                assertThat(steps).containsExactlyInAnyOrder("panel.added sim/alpha", "panel.added sim/beta", "panel.added " + LAGGARD,
                        "panel.completed sim/alpha", "panel.completed sim/beta", "analysis.completed sim/judge", "completed");
                assertThat(steps.get(steps.size() - 1)).isEqualTo("completed");
            }
        }
    }

    @Test
    @DisplayName("a grace under way when the app stops is kept in the join's state: a new instance on empty local state still goes on at it")
    void graceSurvivesARestart() throws Exception {
        try (Rig rig = Rig.start(120_000)) {
            KafkaClusterTestKit kafka = rig.kafka();
            Topics topics = Topics.withDefaultPrefix();
            var first = rig.app(dir.resolve("first"));
            // the grace outlasts the first instance; the laggard outlasts the test: only the stored grace can close it
            produce(kafka.bootstrapServers(), topics, request("r1", 1, 4000L, "sim/alpha", LAGGARD));
            await("the quorum's answer committed").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> events(kafka.bootstrapServers(), topics, "r1").contains("panel.completed sim/alpha"));
            assertThat(events(kafka.bootstrapServers(), topics, "r1")).as("the quorum was in, and committed, before the stop")
                    .contains("panel.completed sim/alpha").doesNotContain("completed");
            first.close();

            // another state directory: the join's state comes back from its changelog alone
            try (FusionApp second = rig.app(dir.resolve("second"))) {
                List<FusionResult> results = CommittedResults.read(kafka.bootstrapServers(), topics.results().name(), Set.of("r1"),
                        Duration.ofSeconds(45)).get("r1");

                assertThat(results).as("one result, at the grace").hasSize(1);
                assertThat(results.get(0).getResponses()).extracting(ModelResponse::getModel).containsExactly("sim/alpha");
                assertThat(results.get(0).getFailedModels()).extracting(FailedModel::getReason).containsExactly("quorum_timeout");
            }
        }
    }

    @Test
    @DisplayName("after a restart, a laggard whose request already has its result is not called again: it is recorded as quorum_timeout, and the app goes on")
    void answeredLaggardNotCalledAgain() throws Exception {
        try (Rig rig = Rig.start(120_000)) {
            KafkaClusterTestKit kafka = rig.kafka();
            Simulator simulator = rig.simulator();
            Topics topics = Topics.withDefaultPrefix();
            try (FusionApp first = rig.app(dir.resolve("first"))) {
                produce(kafka.bootstrapServers(), topics, request("a1", 1, 0L, "sim/alpha", LAGGARD));
                assertThat(CommittedResults.read(kafka.bootstrapServers(), topics.results().name(), Set.of("a1"), Duration.ofSeconds(20)))
                        .containsKey("a1");
            }
            long callsBefore = simulator.callCount(); // alpha, the laggard, the judge

            try (FusionApp second = rig.app(dir.resolve("second"))) {
                produce(kafka.bootstrapServers(), topics, request("a2", 1, 0L, "sim/alpha", "sim/beta"));
                List<FusionResult> next = CommittedResults.read(kafka.bootstrapServers(), topics.results().name(), Set.of("a2"),
                        Duration.ofSeconds(30)).get("a2");
                assertThat(next).as("the app goes on after the laggard's call came back from its store").hasSize(1);

                List<String> steps = await("the laggard recorded").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                        .until(() -> events(kafka.bootstrapServers(), topics, "a1"), e -> e.contains("panel.failed " + LAGGARD));
                assertThat(steps).as("recorded after the result, once").endsWith("completed", "panel.failed " + LAGGARD);
                assertThat(CommittedResults.keys(kafka.bootstrapServers(), topics.results().name())).filteredOn("a1"::equals).hasSize(1);
                assertThat(simulator.callCount() - callsBefore).as("a2's calls only: alpha, beta and the judge").isEqualTo(3);
            }
        }
    }

    /** A broker, a simulator whose laggard takes {@code laggardMs}, and a client of it, for apps on default settings. */
    private record Rig(KafkaClusterTestKit kafka, Simulator simulator, OpenAiChatClient client) implements AutoCloseable {
        static Rig start(long laggardMs) throws Exception {
            Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of("fusion.simulator.latency-ms", "20",
                    "fusion.simulator.model." + LAGGARD + ".latency-ms", Long.toString(laggardMs))));
            return new Rig(KafkaTestCluster.start(), simulator,
                    new OpenAiChatClient(ProviderRoutes.single("simulator", simulator.baseUrl(), null), Duration.ofSeconds(180)));
        }

        FusionApp app(Path stateDir) throws Exception {
            return FusionApp.start(FusionApp.Settings.embedded(kafka.bootstrapServers(), stateDir), Topics.withDefaultPrefix(),
                    PipelineSettings.defaults(), client, new CallCapacity(64, 16));
        }

        @Override
        public void close() throws Exception {
            client.close();
            simulator.close();
            kafka.close();
        }
    }

    private static FusionRequest request(String id, int quorum, long graceMs, String... panel) {
        return FusionRequest.newBuilder()
                .setRequestId(id)
                .setMessages(new ArrayList<>(List.of(new Message("user", "question " + id))))
                .setAnalysisModels(new ArrayList<>(List.of(panel)))
                .setModel("sim/judge")
                .setQuorum(quorum)
                .setQuorumGraceMs(graceMs)
                .build();
    }

    /** The committed events of request {@code id}, as "type model", in the order written. */
    private static List<String> events(String bootstrap, Topics topics, String id) {
        return CommittedResults.records(bootstrap, topics.events().name()).stream()
                .filter(r -> r.key().equals(id))
                .map(r -> topics.events().valueSerde().deserializer().deserialize(r.topic(), r.value()))
                .map(e -> e.model() == null ? e.type() : e.type() + " " + e.model())
                .toList();
    }

    private static void produce(String bootstrap, Topics topics, FusionRequest request) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.requests().name(), request.getRequestId(), Topics.REQUEST.encode(request)));
            producer.flush();
        }
    }
}
