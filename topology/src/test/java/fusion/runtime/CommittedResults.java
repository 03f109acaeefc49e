package fusion.runtime;

import fusion.schema.FusionResult;
import fusion.topology.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Every committed result of a results topic, as a read_committed consumer sees it: every record, duplicates included. */
final class CommittedResults {
    private CommittedResults() {}

    /**
     * Reads from the start until {@code expected} request ids have a result, then three seconds more
     * to catch late duplicates, or until {@code patience} runs out.
     *
     * @return each request id's results in topic order; a correct pipeline has exactly one per id
     */
    static Map<String, List<FusionResult>> read(String bootstrap, String topic, int expected, Duration patience) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, List<FusionResult>> results = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.currentTimeMillis() + patience.toMillis();
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    results.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(Topics.RESULT.decode(record.value()));
                }
                if (results.size() >= expected && quietUntil == Long.MAX_VALUE) quietUntil = System.currentTimeMillis() + 3_000;
            }
        }
        return results;
    }
}
