package fusion.bench;

import fusion.calls.CallCapacity;
import fusion.model.ChatClient;
import fusion.runtime.FusionApp;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import fusion.topology.PipelineSettings;
import fusion.topology.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** a. The pipeline: the real topology, exactly-once, on the embedded broker; results read with read_committed. */
final class PipelineRun {
    static final String NAME = "a. pipeline (Kafka Streams, exactly-once)";

    private PipelineRun() {}

    static Measurement run(Scenario s, String bootstrap, Path stateDir, ChatClient client, ProviderClock clock, int streamThreads,
                           Map<String, String> streamsOverrides, Duration patience) throws InterruptedException {
        String id = "bench-" + s.name() + "-" + System.currentTimeMillis();
        Topics topics = new Topics(id + ".");
        var settings = new FusionApp.Settings(bootstrap, id, stateDir.resolve(id), 4, (short) 1, streamThreads, streamsOverrides);
        CallCapacity capacity = new CallCapacity(s.inFlightPerModel() * (Scenario.PANEL.size() + 1), s.inFlightPerModel());
        ClosedLoop loop = new ClosedLoop(s.requests(), s.window(), clock::ideal);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger analysed = new AtomicInteger();
        AtomicBoolean reading = new AtomicBoolean(true);
        java.util.concurrent.ConcurrentHashMap<String, Integer> failures = new java.util.concurrent.ConcurrentHashMap<>();
        // Where the time goes: submission to intake, intake to result (less the provider time), result to the reader.
        long[] toIntake = new long[s.requests()];
        long[] inPipeline = new long[s.requests()];
        long[] toReader = new long[s.requests()];
        try (FusionApp app = FusionApp.start(settings, topics, PipelineSettings.defaults(), client, capacity);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(bootstrap), new StringSerializer(), new ByteArraySerializer());
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig(bootstrap), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.results().name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            consumer.poll(Duration.ZERO);
            var results = topics.results().valueSerde().deserializer();
            Thread reader = new Thread(() -> {
                while (reading.get()) {
                    for (var record : consumer.poll(Duration.ofMillis(50))) {
                        FusionResult r = results.deserialize(record.topic(), record.headers(), record.value());
                        if (r.getStatus() == ResultStatus.ok) ok.incrementAndGet();
                        if (r.getAnalysis() != null) analysed.incrementAndGet();
                        if (r.getJudgeFailure() != null) {
                            failures.merge(r.getJudgeFailure().getReason() + " " + r.getJudgeFailure().getStatusCode() + " "
                                    + String.valueOf(r.getJudgeFailure().getMessage()).replaceAll("\\s+", " "), 1, Integer::sum);
                        }
                        int i = ClosedLoop.index(record.key());
                        long now = System.currentTimeMillis();
                        toIntake[i] = r.getReceivedAt() - loop.sentAt(i);
                        inPipeline[i] = r.getCompletedAt() - r.getReceivedAt() - clock.ideal(i);
                        toReader[i] = now - r.getCompletedAt();
                        loop.completed(i);
                    }
                }
            }, "bench-results");
            ProcessGauge gauge = new ProcessGauge();
            gauge.start();
            long start = System.nanoTime();
            reader.start();
            for (int i = 0; i < s.requests(); i++) {
                loop.send(i);
                var request = BenchRequests.request(s.name(), i);
                producer.send(new ProducerRecord<>(topics.requests().name(), request.getRequestId(), Topics.REQUEST.encode(request)));
            }
            producer.flush();
            boolean all = loop.await(patience);
            double wall = (System.nanoTime() - start) / 1e9;
            double cpu = gauge.cpuSeconds();
            long rss = gauge.peakRssMb();
            reading.set(false);
            reader.join(5_000);
            long[] latencies = loop.latencies();
            failures.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(3)
                    .forEach(e -> System.err.println("  judge failures: " + e.getValue() + " × " + e.getKey()));
            String note = ok.get() + " ok, " + analysed.get() + " analysed" + (loop.duplicates() > 0 ? ", " + loop.duplicates() + " DUPLICATES" : "")
                    + (all ? "" : "; timed out")
                    + String.format(java.util.Locale.ROOT, "; p50 ms: to intake %d, in pipeline beyond provider time %d, result to reader %d",
                    Measurement.percentile(toIntake, 0.5), Measurement.percentile(inPipeline, 0.5), Measurement.percentile(toReader, 0.5));
            return new Measurement(NAME, latencies.length, wall, cpu, rss, latencies, loop.overheads(), note);
        }
    }

    static Properties producerConfig(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return p;
    }

    static Properties consumerConfig(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        return p;
    }
}
