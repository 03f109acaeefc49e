package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.calls.CallCapacity;
import fusion.model.ChatClient;
import fusion.model.ProviderRoutes;
import fusion.topology.PipelineSettings;
import fusion.topology.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider that asks for a ten-minute pause (429, Retry-After: 600) while requests keep coming:
 * the stream thread waits for capacity only out of its allowance, so no transaction outlives
 * {@code transaction.timeout.ms}, the producer is never fenced and the group never rebalances.
 */
class ProviderPauseTest {
    /** Short, so that a thread held for as long as the old 30 s per call would have been fenced many times over. */
    private static final int TRANSACTION_TIMEOUT_MS = 10_000;
    private static final int REQUESTS = 300;

    @TempDir
    java.nio.file.Path dir;

    @Test
    @DisplayName("10-minute Retry-After, input still arriving → every request is taken in, no thread is replaced, no rebalance, never fenced")
    void pausedProviderNeverFencesTheApp() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (MockWebServer provider = new MockWebServer(); KafkaClusterTestKit kafka = KafkaTestCluster.start()) {
            provider.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    calls.incrementAndGet();
                    return new MockResponse.Builder().code(429).setHeader("Retry-After", "600").setHeader("Content-Type", "application/json")
                            .body("{\"error\":{\"code\":429,\"message\":\"slow down\"}}").build();
                }
            });
            provider.start();
            ProviderRoutes routes = ProviderRoutes.single("paused", provider.url("/v1").toString(), null);
            Topics topics = Topics.withDefaultPrefix();
            Map<String, String> extra = new HashMap<>(Map.of("producer.transaction.timeout.ms", Integer.toString(TRANSACTION_TIMEOUT_MS)));
            var settings = new FusionApp.Settings(kafka.bootstrapServers(), "pause-test", dir.resolve("streams"), 2, (short) 1, 1, extra);
            // Few slots and a short queue: the stream thread is at the admission bound almost at once.
            PipelineSettings pipeline = PipelineSettings.defaults();
            pipeline = pipeline.withCalls(new fusion.calls.CallSettings(pipeline.calls().forwardInterval(), pipeline.calls().maxCapacityWaitMillis(),
                    8, true, pipeline.calls().deadline(), pipeline.calls().reuseRetention()));
            CallCapacity capacity = new CallCapacity(4, 2);
            try (ChatClient client = ModelCalls.open(routes, new FusionConfig(Map.of()), new SimpleMeterRegistry());
                 FusionApp app = FusionApp.start(settings, topics, pipeline, client, capacity)) {
                KafkaStreams streams = app.streams();
                Set<String> threadsAtStart = threadNames(streams);
                produce(kafka.bootstrapServers(), topics.requests().name());

                // Watch for three transaction timeouts after the last request is in: a held thread would be fenced by then.
                List<KafkaStreams.State> states = new ArrayList<>();
                long watchUntil = Long.MAX_VALUE;
                long giveUp = System.currentTimeMillis() + 180_000;
                boolean allTakenIn = false;
                while (System.currentTimeMillis() < Math.min(watchUntil, giveUp)) {
                    states.add(streams.state());
                    if (!allTakenIn && committedOffsets(kafka.bootstrapServers(), "pause-test", topics.requests().name()) >= REQUESTS) {
                        allTakenIn = true;
                        watchUntil = System.currentTimeMillis() + 3L * TRANSACTION_TIMEOUT_MS;
                    }
                    Thread.sleep(100);
                }

                assertThat(allTakenIn).as("every request was taken in while the provider stayed paused").isTrue();
                assertThat(states).as("the app stayed RUNNING: no rebalance, no fenced producer").containsOnly(KafkaStreams.State.RUNNING);
                assertThat(threadNames(streams)).as("no stream thread died and was replaced").isEqualTo(threadsAtStart);
                assertThat(capacity.stats().queuedPastBound()).as("calls queued past the bound rather than holding the thread").isPositive();
            }
        }
    }

    private static void produce(String bootstrap, String topic) throws Exception {
        Map<String, Object> p = Map.of("bootstrap.servers", bootstrap, "enable.idempotence", "true", "acks", "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < REQUESTS; i++) {
                String json = "{\"request_id\":\"p" + i + "\",\"prompt\":\"question " + i + "\",\"analysis_models\":[\"m/one\",\"m/two\"],\"model\":\"m/judge\"}";
                producer.send(new ProducerRecord<>(topic, "p" + i, json.getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    /** Records of the requests topic the app has committed as processed, over all partitions. */
    private static long committedOffsets(String bootstrap, String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    private static Set<String> threadNames(KafkaStreams streams) {
        Set<String> names = new HashSet<>();
        for (ThreadMetadata t : streams.metadataForLocalThreads()) names.add(t.threadName());
        return names;
    }
}
