package fusion.connect;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.results.FusionResults;
import fusion.runtime.KafkaTestCluster;
import fusion.topology.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped results sink config with a .parquet results path, on a standalone worker stopped and started again. */
class ResultsSinkParquetTest {
    private static final String SINK = "fusion-results-sink";

    @TempDir
    Path dir;

    @Test
    @DisplayName("the shipped sink with a .parquet path on a real worker, restarted with its offsets lost and results of a rerun on the topic "
            + "→ a dataset directory of finished parts that holds every request id exactly once")
    void parquetDatasetThroughARestart() throws Exception {
        try (KafkaClusterTestKit kafka = KafkaTestCluster.start()) {
            String bootstrap = kafka.bootstrapServers();
            String topic = Topics.withDefaultPrefix().results().name();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
            }
            Path dataset = dir.resolve("out").resolve("results.parquet");
            Path sink = dir.resolve(SINK + ".properties");
            Properties p = new Properties();
            p.putAll(ShippedConfig.properties(SINK + ".properties"));
            p.put(ResultsSinkConfig.FILE, dataset.toString());
            p.put(ResultsSinkConfig.PARQUET_MAX_ROWS, "4");
            try (var w = Files.newBufferedWriter(sink)) {
                p.store(w, "connectors/config/" + SINK + ".properties with a Parquet dataset");
            }
            Path offsets = dir.resolve("connect.offsets");

            produce(bootstrap, topic, DatasetFiles.ids("r", 1, 10));
            try (StandaloneWorker first = StandaloneWorker.start(bootstrap, offsets, sink)) {
                first.awaitRunning(SINK);
                Awaitility.await("the first 10 results in finished parts").atMost(Duration.ofSeconds(60))
                        .until(() -> ResultsFile.ids(dataset).size() >= 10);
            }
            // As if the worker had died before committing its offsets: the next one reads every result again.
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.deleteConsumerGroups(List.of("connect-" + SINK)).all().get();
            }
            List<String> more = new ArrayList<>(DatasetFiles.ids("r", 11, 15));
            more.addAll(DatasetFiles.ids("r", 1, 3)); // a rerun's second results for ids already written
            Map<TopicPartition, Long> ends = produce(bootstrap, topic, more);

            try (StandaloneWorker second = StandaloneWorker.start(bootstrap, offsets, sink);
                    Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                second.awaitRunning(SINK);
                // Committed past every record of the topic: each was read again, and all it wrote is in finished parts.
                Awaitility.await("the sink's offsets committed past the last result").atMost(Duration.ofSeconds(60)).until(() -> {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("connect-" + SINK)
                            .partitionsToOffsetAndMetadata().get();
                    return ends.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                            && committed.get(e.getKey()).offset() > e.getValue());
                });
            }

            assertThat(ResultsFile.ids(dataset)).hasSize(15).containsExactlyInAnyOrderElementsOf(DatasetFiles.ids("r", 1, 15));
            assertThat(ResultsFile.parts(dataset)).as("parts of at most 4 rows").hasSizeGreaterThanOrEqualTo(4)
                    .allSatisfy(part -> assertThat(ResultsFile.rows(part)).hasSizeBetween(1, 4));
            try (Stream<Path> files = Files.list(dataset)) {
                assertThat(files.map(f -> f.getFileName().toString())).as("nothing unfinished after a clean stop")
                        .allMatch(n -> n.matches("part-\\d{5}\\.parquet"));
            }
        }
    }

    /** Results as the pipeline writes them: in a transaction, keyed by request id. Returns the last offset written to each partition. */
    private static Map<TopicPartition, Long> produce(String bootstrap, String topic, List<String> ids) throws Exception {
        Map<TopicPartition, Long> last = new HashMap<>();
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "results-writer"), new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (String id : ids) {
                RecordMetadata sent = producer.send(new ProducerRecord<>(topic, id,
                        Topics.RESULT.encode(FusionResults.invalid(id, null, "a result for " + id, 1_000L)))).get();
                last.merge(new TopicPartition(topic, sent.partition()), sent.offset(), Math::max);
            }
            producer.commitTransaction();
        }
        return last;
    }
}
