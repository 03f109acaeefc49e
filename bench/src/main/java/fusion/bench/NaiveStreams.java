package fusion.bench;

import fusion.model.ChatClient;
import fusion.topology.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * c. What a user writes first: a Kafka Streams app whose processor calls the models and waits.
 * It fans the panel out in parallel, then blocks on it and on the judge, one record at a time,
 * with Streams' defaults (one thread, at-least-once).
 */
final class NaiveStreams {
    static final String NAME = "c. naive Streams app, blocking calls";

    private NaiveStreams() {}

    /** Blocks the stream thread for the whole fusion run; forwards the ideal time as the result. */
    static final class BlockingFusion implements Processor<String, byte[], String, String> {
        private final ChatClient client;
        private ProcessorContext<String, String> context;

        BlockingFusion(ChatClient client) {
            this.client = client;
        }

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, byte[]> record) {
            BenchRequests.Direct d = BenchRequests.fuse(client, Topics.REQUEST.decode(record.value())).join();
            context.forward(record.withValue(Boolean.toString(d.analysed())));
        }
    }

    static Measurement run(Scenario s, String bootstrap, Path stateDir, ChatClient client, ProviderClock clock, Duration patience) throws Exception {
        int n = Math.min(s.naiveSample(), s.requests());
        String id = "naive-" + s.name() + "-" + System.currentTimeMillis();
        String in = id + ".requests";
        String out = id + ".results";
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(in, 4, (short) 1), new NewTopic(out, 4, (short) 1))).all().get();
        }
        Topology topology = new Topology();
        topology.addSource("in", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), in);
        topology.addProcessor("fuse", () -> new BlockingFusion(client), "in");
        topology.addSink("out", out, Serdes.String().serializer(), Serdes.String().serializer(), "fuse");
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, id);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(id).toString());
        ClosedLoop loop = new ClosedLoop(n, s.window(), clock::ideal);
        AtomicBoolean reading = new AtomicBoolean(true);
        try (KafkaStreams streams = new KafkaStreams(topology, p);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(PipelineRun.producerConfig(bootstrap), new StringSerializer(), new ByteArraySerializer());
             KafkaConsumer<String, String> consumer = new KafkaConsumer<>(PipelineRun.consumerConfig(bootstrap), new StringDeserializer(), new StringDeserializer())) {
            streams.start();
            List<TopicPartition> partitions = consumer.partitionsFor(out).stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            consumer.poll(Duration.ZERO);
            Thread reader = new Thread(() -> {
                while (reading.get()) {
                    consumer.poll(Duration.ofMillis(50)).forEach(r -> loop.completed(ClosedLoop.index(r.key())));
                }
            }, "naive-results");
            ProcessGauge gauge = new ProcessGauge();
            gauge.start();
            long start = System.nanoTime();
            reader.start();
            for (int i = 0; i < n; i++) {
                loop.send(i);
                var request = BenchRequests.request(s.name(), i);
                producer.send(new ProducerRecord<>(in, request.getRequestId(), Topics.REQUEST.encode(request)));
            }
            producer.flush();
            boolean all = loop.await(patience);
            double wall = (System.nanoTime() - start) / 1e9;
            double cpu = gauge.cpuSeconds();
            long rss = gauge.peakRssMb();
            reading.set(false);
            reader.join(5_000);
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(Duration.ofSeconds(10)));
            long[] latencies = loop.latencies();
            return new Measurement(NAME, latencies.length, wall, cpu, rss, latencies, loop.overheads(),
                    "a sample of " + n + " requests" + (all ? "" : "; timed out"));
        }
    }
}
