package fusion.topology;

import fusion.calls.CallCapacity;
import fusion.model.ChatClient;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The production topology in a TopologyTestDriver, with real HTTP calls to whatever the client
 * points at. Completions are forwarded by wall-clock punctuation, so waiting for a result means
 * advancing the driver's wall clock until it appears.
 */
public final class PipelineDriver implements AutoCloseable {
    final Topics topics;
    final TopologyTestDriver driver;
    private final TestInputTopic<String, byte[]> requests;
    private final TestOutputTopic<String, byte[]> results;
    private final TestOutputTopic<byte[], byte[]> deadLetters;
    private final TestOutputTopic<String, fusion.events.FusionEvent> events;
    private final List<fusion.events.FusionEvent> eventsSeen = new ArrayList<>();
    private final Path stateDir;
    private final Map<String, List<FusionResult>> seen = new HashMap<>();
    private final List<TestRecord<String, byte[]>> resultRecords = new ArrayList<>();

    public PipelineDriver(ChatClient client, PipelineSettings settings) {
        this(client, settings, new CallCapacity(64, 16));
    }

    public PipelineDriver(ChatClient client, PipelineSettings settings, CallCapacity capacity) {
        this(client, settings, capacity, Topics.withDefaultPrefix());
    }

    /** The same, on {@code topics} (results as JSON, say). */
    PipelineDriver(ChatClient client, PipelineSettings settings, CallCapacity capacity, Topics topics) {
        this.topics = topics;
        try {
            stateDir = Files.createTempDirectory("fusion-ttd-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "fusion-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(FusionTopology.build(topics, settings, client, capacity), props);
        requests = driver.createInputTopic(topics.requests().name(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
        results = driver.createOutputTopic(topics.results().name(), Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters().name(), Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
        events = driver.createOutputTopic(topics.events().name(), topics.events().keySerde().deserializer(), topics.events().valueSerde().deserializer());
    }

    public void submit(FusionRequest request) {
        requests.pipeInput(request.getRequestId(), Topics.REQUEST.encode(request));
    }

    void submitJson(String key, String json) {
        requests.pipeInput(key, json.getBytes(StandardCharsets.UTF_8));
    }

    void submitRaw(String key, byte[] value, RecordHeaders headers) {
        requests.pipeInput(new TestRecord<>(key, value, headers));
    }

    /** Advances the wall clock in small steps until {@code id} has a result, for at most {@code patience} of real time. */
    public FusionResult awaitResult(String id, Duration patience) {
        long deadline = System.currentTimeMillis() + patience.toMillis();
        while (System.currentTimeMillis() < deadline) {
            drainResults();
            List<FusionResult> got = seen.get(id);
            if (got != null && !got.isEmpty()) return got.get(0);
            driver.advanceWallClockTime(Duration.ofMillis(20));
            sleep(10);
        }
        throw new AssertionError("no result for " + id + " within " + patience + "; results so far: " + seen.keySet());
    }

    public FusionResult awaitResult(String id) {
        return awaitResult(id, Duration.ofSeconds(15));
    }

    /** Lets the pipeline run for {@code time} of wall clock (and real time, for HTTP calls), then says what each id got. */
    Map<String, List<FusionResult>> settle(Duration time) {
        long deadline = System.currentTimeMillis() + time.toMillis();
        while (System.currentTimeMillis() < deadline) {
            driver.advanceWallClockTime(Duration.ofMillis(20));
            sleep(10);
        }
        drainResults();
        return seen;
    }

    /** Every event written so far, in the order written, each checked to be keyed by its request id. */
    List<fusion.events.FusionEvent> events() {
        for (var record : events.readRecordsToList()) {
            if (!record.key().equals(record.value().requestId())) {
                throw new AssertionError("event keyed " + record.key() + " is about request " + record.value().requestId());
            }
            eventsSeen.add(record.value());
        }
        return List.copyOf(eventsSeen);
    }

    List<TestRecord<byte[], byte[]>> deadLetters() {
        return deadLetters.readRecordsToList();
    }

    /** Every record written to the results topic so far, its value as the bytes on the wire. */
    List<TestRecord<String, byte[]>> resultRecords() {
        drainResults();
        return List.copyOf(resultRecords);
    }

    /** Each result read by the results topic's own serde, headers included, as any reader of ours reads it. */
    private void drainResults() {
        var serde = topics.results().valueSerde().deserializer();
        for (var record : results.readRecordsToList()) {
            resultRecords.add(record);
            seen.computeIfAbsent(record.key(), k -> new ArrayList<>())
                    .add(serde.deserialize(topics.results().name(), record.headers(), record.value()));
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        driver.close();
        try (var files = Files.walk(stateDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir; best effort
        }
    }
}
