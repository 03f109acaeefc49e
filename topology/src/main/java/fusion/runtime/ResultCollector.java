package fusion.runtime;

import fusion.schema.FusionResult;
import fusion.topology.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads results with read_committed, so only results of committed transactions are ever seen, and
 * hands each wanted request id's result to a sink once.
 */
public final class ResultCollector {
    private final Map<String, Object> clientConfig;
    private final Topic<String, FusionResult> topic;
    private static final long FLUSH_EVERY_MILLIS = 1000;
    private final RunProgress progress;

    public ResultCollector(Map<String, Object> clientConfig, Topic<String, FusionResult> resultsTopic, RunProgress progress) {
        this.clientConfig = clientConfig;
        this.topic = resultsTopic;
        this.progress = progress;
    }

    /** When to stop reading. */
    public enum Until {
        /** every expected id has a result */
        ALL_EXPECTED,
        /** the end of the topic as it was when reading began */
        CAUGHT_UP,
        /** only when told to stop */
        STOPPED
    }

    /**
     * @param expected the ids waited for (ALL_EXPECTED), or null
     * @param stop     asked between polls; true ends the read (Ctrl-C in --follow)
     */
    public RunSummary collect(Predicate<FusionResult> wanted, Set<String> expected, Until until, ResultSink sink,
                              long startedMillis, int alreadyAnswered, BooleanSupplier stop) {
        Map<String, Object> p = new HashMap<>(clientConfig);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        RunSummary.Tally tally = new RunSummary.Tally(startedMillis);
        Set<String> written = new HashSet<>();
        int total = expected == null ? -1 : expected.size() + alreadyAnswered;
        try (KafkaConsumer<String, FusionResult> consumer = new KafkaConsumer<>(p, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long lastFlush = System.currentTimeMillis();
            while (!done(until, expected, written, consumer, end) && !stop.getAsBoolean()) {
                for (ConsumerRecord<String, FusionResult> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null || written.contains(record.key())) continue;
                    if (expected != null && !expected.contains(record.key())) continue;
                    FusionResult result = record.value();
                    if (!wanted.test(result)) continue;
                    sink.write(result);
                    if (written.isEmpty()) StartupTrace.mark("first result collected");
                    written.add(record.key());
                    tally.add(result);
                }
                long now = System.currentTimeMillis();
                if (now - lastFlush >= FLUSH_EVERY_MILLIS) {
                    lastFlush = now;
                    sink.flush();
                }
                progress.update(tally, total, now - startedMillis);
            }
        }
        sink.flush();
        progress.update(tally, total, System.currentTimeMillis() - startedMillis);
        progress.close();
        return tally.summary(written.size() + alreadyAnswered, alreadyAnswered, System.currentTimeMillis() - startedMillis);
    }

    /** What every committed result on the topic cost: a resumed job's spend so far. */
    public static double committedCost(Map<String, Object> clientConfig, Topic<String, FusionResult> resultsTopic) {
        RunSummary.Tally tally = new RunSummary.Tally();
        // Every try of a request was paid for, so every record counts, not only the latest per id.
        TopicSnapshot.read(clientConfig, resultsTopic, (key, value) -> {
            if (value != null) tally.add(value);
        });
        return tally.cost();
    }

    private static boolean done(Until until, Set<String> expected, Set<String> written, KafkaConsumer<?, ?> consumer,
                                Map<TopicPartition, Long> end) {
        switch (until) {
            case ALL_EXPECTED:
                return written.size() >= expected.size();
            case CAUGHT_UP:
                for (var e : end.entrySet()) {
                    // Under read_committed, position stops short of transaction markers; compare with what is readable.
                    if (consumer.position(e.getKey()) < e.getValue()) return false;
                }
                return true;
            default:
                return false;
        }
    }
}
