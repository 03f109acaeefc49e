package fusion.connect;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.results.FusionResults;
import fusion.runtime.KafkaTestCluster;
import fusion.topology.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The results sink reads as the shipped config says: read_committed. */
class ResultsSinkIsolationTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a result of an aborted transaction, then a committed one → the shipped sink writes only the committed one; "
            + "the same config without its isolation override writes both")
    void abortedResultsStayOut() throws Exception {
        try (KafkaClusterTestKit kafka = KafkaTestCluster.start()) {
            String topic = Topics.withDefaultPrefix().results().name();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            }
            try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "results-writer"), new StringSerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
                for (String id : List.of("aborted", "committed")) {
                    producer.beginTransaction();
                    producer.send(new ProducerRecord<>(topic, id, Topics.RESULT.encode(FusionResults.invalid(id, null, "a result", 1_000L))));
                    producer.flush(); // on the log before the abort: an abort drops what was not yet sent
                    if (id.equals("aborted")) producer.abortTransaction();
                    else producer.commitTransaction();
                }
            }

            Path shipped = dir.resolve("shipped.jsonl");
            Path uncommitted = dir.resolve("uncommitted.jsonl");
            Path sink = ShippedConfig.placed("fusion-results-sink.properties", Map.of(ResultsSinkConfig.FILE, shipped.toString()), dir);
            Path withoutOverride = dir.resolve("without-override.properties");
            Properties p = new Properties();
            p.putAll(ShippedConfig.properties("fusion-results-sink.properties"));
            p.remove(ResultsSinkConfig.ISOLATION_OVERRIDE);
            p.put("name", "fusion-results-sink-uncommitted");
            p.put(ResultsSinkConfig.FILE, uncommitted.toString());
            try (var w = Files.newBufferedWriter(withoutOverride)) {
                p.store(w, null);
            }
            try (StandaloneWorker worker = StandaloneWorker.start(kafka.bootstrapServers(), dir.resolve("offsets"), sink, withoutOverride)) {
                Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> ResultsFile.ids(shipped).contains("committed") && ResultsFile.ids(uncommitted).contains("committed"));
            }
            assertThat(ResultsFile.ids(shipped)).containsExactly("committed");
            assertThat(ResultsFile.ids(uncommitted)).containsExactly("aborted", "committed");
        }
    }
}
