package fusion.runtime;

import fusion.schema.FusionResult;
import fusion.topology.Topic;
import fusion.topology.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What a read_committed consumer sees on a topic: every committed record, duplicates included. */
public final class CommittedResults {
    private CommittedResults() {}

    /** The keys of every committed record of {@code topic}, from the start to its end as of now. */
    public static List<String> keys(String bootstrap, String topic) {
        return records(bootstrap, topic).stream().map(ConsumerRecord::key).toList();
    }

    /** Every committed record of {@code topic}, its value as the bytes on the wire, from the start to its end as of now. */
    public static List<ConsumerRecord<String, byte[]>> records(String bootstrap, String topic) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (var consumer = consumer(bootstrap)) {
            var partitions = partitions(consumer, topic);
            var end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /**
     * Reads from the start until each of {@code ids} has a result, then three seconds more to catch
     * late duplicates, or until {@code patience} runs out. Results of other requests are left out.
     *
     * @return each of those request ids' results in topic order; a correct pipeline has exactly one per id
     */
    static Map<String, List<FusionResult>> read(String bootstrap, String topic, Set<String> ids, Duration patience) {
        return read(bootstrap, new Topic<>(topic, Topics.KEYS, fusion.topology.WireFormat.singleObject().results()), ids, patience);
    }

    /** Reads as {@link #read} does and asserts that each of {@code ids} has exactly one result, and an ok one. */
    static Map<String, FusionResult> oneOkEach(String bootstrap, String topic, Set<String> ids, Duration patience) {
        Map<String, List<FusionResult>> results = read(bootstrap, topic, ids, patience);
        org.assertj.core.api.Assertions.assertThat(results).hasSize(ids.size());
        Map<String, FusionResult> one = new HashMap<>();
        results.forEach((id, list) -> {
            org.assertj.core.api.Assertions.assertThat(list).as("results for " + id).hasSize(1);
            org.assertj.core.api.Assertions.assertThat(list.get(0).getStatus()).isEqualTo(fusion.schema.ResultStatus.ok);
            one.put(id, list.get(0));
        });
        return one;
    }

    /** The same, each value read by {@code topic}'s serde (registry-framed ones too, when it has a registry; JSON ones with their headers). */
    static Map<String, List<FusionResult>> read(String bootstrap, Topic<String, FusionResult> topic, Set<String> ids, Duration patience) {
        Map<String, List<FusionResult>> results = new HashMap<>();
        try (var consumer = consumer(bootstrap)) {
            partitions(consumer, topic.name());
            long deadline = System.currentTimeMillis() + patience.toMillis();
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (!ids.contains(record.key())) continue;
                    results.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(topic.valueSerde().deserializer().deserialize(topic.name(), record.headers(), record.value()));
                }
                if (results.size() == ids.size() && quietUntil == Long.MAX_VALUE) quietUntil = System.currentTimeMillis() + 3_000;
            }
        }
        return results;
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Assigns every partition of {@code topic}, from its start. */
    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer, String topic) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return partitions;
    }
}
