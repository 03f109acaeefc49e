package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.schema.FusionResult;
import fusion.topology.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fusion broker} and {@code fusion serve --simulate}: cluster mode with no API key, for outside clients. */
class BrokerServeTest {
    /** Debian's kcat, which .ci/run installs; without it the kcat half of the test does not run. */
    private static final java.util.Optional<Path> KCAT = java.util.stream.Stream.of("/usr/bin/kcat", "/usr/local/bin/kcat")
            .map(Path::of).filter(java.nio.file.Files::isExecutable).findFirst();

    @TempDir
    Path dir;

    @Test
    @DisplayName("fusion broker says where it is; serve --simulate answers JSON requests from a plain producer and from kcat, keyed only by their record key; kcat reads the results read_committed")
    void brokerAndSimulatedServe() throws Exception {
        try (FusionProcess broker = FusionProcess.broker(dir)) {
            String bootstrap = broker.bootstrapServers();

            try (FusionProcess serve = FusionProcess.simulatedServe(dir, bootstrap)) {
                try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                        new StringSerializer(), new ByteArraySerializer())) {
                    producer.send(new ProducerRecord<>("fusion.requests", "kc-1",
                            "{\"prompt\": \"What is a broker?\", \"analysis_models\": [\"sim/alpha\", \"sim/beta\"], \"model\": \"sim/judge\"}"
                                    .getBytes(StandardCharsets.UTF_8)));
                    producer.send(new ProducerRecord<>("fusion.requests", "kc-2",
                            "{\"request_id\": \"kc-2\", \"prompt\": \"And a topic?\", \"analysis_models\": [\"sim/alpha\"], \"model\": \"sim/judge\"}"
                                    .getBytes(StandardCharsets.UTF_8)));
                    producer.flush();
                }
                if (KCAT.isPresent()) {
                    // Debian's kcat, as the README shows it: a JSON request keyed only by its record key
                    Process produce = new ProcessBuilder(KCAT.get().toString(), "-b", bootstrap, "-t", "fusion.requests", "-P", "-K", "|")
                            .redirectErrorStream(true).start();
                    produce.getOutputStream().write(("kc-3|{\"prompt\": \"Why Kafka?\", \"analysis_models\": [\"sim/gamma\"], "
                            + "\"model\": \"sim/judge\"}\n").getBytes(StandardCharsets.UTF_8));
                    produce.getOutputStream().close();
                    assertThat(produce.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                    assertThat(produce.exitValue()).as(new String(produce.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
                }
                Set<String> ids = KCAT.isPresent() ? Set.of("kc-1", "kc-2", "kc-3") : Set.of("kc-1", "kc-2");
                Map<String, List<FusionResult>> results = CommittedResults.read(bootstrap, Topics.withDefaultPrefix().results().name(),
                        ids, Duration.ofSeconds(90));
                assertThat(results.keySet()).containsExactlyInAnyOrderElementsOf(ids);
                if (KCAT.isPresent()) {
                    Process consume = new ProcessBuilder(KCAT.get().toString(), "-b", bootstrap, "-t", "fusion.results", "-C", "-o", "beginning",
                            "-e", "-q", "-X", "isolation.level=read_committed", "-f", "%k\\n").redirectErrorStream(true).start();
                    String keys = new String(consume.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertThat(consume.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                    assertThat(keys.lines().sorted().toList()).as("kcat reads every result, read_committed").containsExactly("kc-1", "kc-2", "kc-3");
                }
                assertThat(results.values()).allSatisfy(list -> assertThat(list).singleElement()
                        .satisfies(r -> assertThat(r.getStatus().name()).isEqualTo("ok")));
                assertThat(serve.stop(Duration.ofSeconds(60))).as(serve.output()).isZero();
            }
            assertThat(broker.stop(Duration.ofSeconds(60))).as(broker.output()).isZero();
        }
    }
}
