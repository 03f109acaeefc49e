package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.calls.CallCapacity;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.schema.Message;
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
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The call processor across a restart: calls in flight when the app stops are issued again. */
class CallRestartTest {
    private static final int REQUESTS = 20;

    @TempDir
    Path dir;

    @Test
    @DisplayName("closed with calls in flight, started again on the same state → every request gets exactly one result")
    void restartWithCallsInFlight() throws Exception {
        try (KafkaClusterTestKit kafka = KafkaTestCluster.start();
             Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of(
                     "fusion.simulator.latency-ms", "1500", "fusion.simulator.jitter-ms", "0")));
             OpenAiChatClient client = new OpenAiChatClient(ProviderRoutes.single("simulator", simulator.baseUrl(), null), Duration.ofSeconds(30))) {
            Topics topics = Topics.withDefaultPrefix();
            var settings = FusionApp.Settings.embedded(kafka.bootstrapServers(), dir.resolve("streams"));
            FusionApp first = FusionApp.start(settings, topics, PipelineSettings.defaults(), client, new CallCapacity(256, 64));
            produce(kafka.bootstrapServers(), topics);
            long deadline = System.currentTimeMillis() + 20_000;
            while (simulator.callCount() < REQUESTS * 2 && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertThat(simulator.callCount()).as("panel calls in flight before the stop").isGreaterThanOrEqualTo(REQUESTS * 2);
            first.close(); // the calls are still running: 1.5 s each

            try (FusionApp second = FusionApp.start(settings, topics, PipelineSettings.defaults(), client, new CallCapacity(256, 64))) {
                Map<String, FusionResult> results = CommittedResults.oneOkEach(kafka.bootstrapServers(), topics.results().name(),
                        IntStream.range(0, REQUESTS).mapToObj(i -> "restart-" + i).collect(Collectors.toSet()), Duration.ofSeconds(60));

                results.values().forEach(r -> assertThat(r.getResponses()).hasSize(2));
                assertThat(simulator.callCount()).as("panel calls were issued again after the restart")
                        .isGreaterThan((long) REQUESTS * 2 + REQUESTS);
            }
        }
    }

    private static void produce(String bootstrap, Topics topics) {
        produce(bootstrap, topics, REQUESTS, "restart-", i -> "question " + i);
    }

    /** {@code n} requests to a panel of sim/alpha and sim/beta judged by sim/judge, ids {@code idPrefix + i}. */
    static void produce(String bootstrap, Topics topics, int n, String idPrefix, java.util.function.IntFunction<String> prompt) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                FusionRequest request = FusionRequest.newBuilder()
                        .setRequestId(idPrefix + i)
                        .setMessages(new ArrayList<>(List.of(new Message("user", prompt.apply(i)))))
                        .setAnalysisModels(new ArrayList<>(List.of("sim/alpha", "sim/beta")))
                        .setModel("sim/judge")
                        .build();
                producer.send(new ProducerRecord<>(topics.requests().name(), request.getRequestId(), Topics.REQUEST.encode(request)));
            }
            producer.flush();
        }
    }
}
