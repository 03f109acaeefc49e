package fusion.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.intake.RequestFieldException;
import fusion.intake.RequestJson;
import fusion.results.ResultJson;
import fusion.schema.CallRecord;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import fusion.topology.Topics;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A dataset through the pipeline: produce each row as a request, collect one result per request id
 * (read_committed), write them as JSONL in the spec's shape, and summarise.
 */
public final class BulkRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String bootstrapServers;
    private final Topics topics;
    private final PrintStream progress;
    private final Duration progressEvery;

    public BulkRun(String bootstrapServers, Topics topics, PrintStream progress, Duration progressEvery) {
        this.bootstrapServers = bootstrapServers;
        this.topics = topics;
        this.progress = progress;
        this.progressEvery = progressEvery;
    }

    /** A request row read from the input, ready to produce. */
    record Row(int line, String requestId, byte[] value) {}

    public RunSummary run(Path input, Path output) throws IOException {
        long started = System.currentTimeMillis();
        List<String> unreadable = new ArrayList<>();
        Map<String, Row> rows = readRows(input, unreadable);
        try (BufferedWriter out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            for (String line : unreadable) {
                out.write(line);
                out.newLine();
            }
            produce(rows.values());
            RunSummary summary = collect(rows.keySet(), out, started, unreadable.size());
            out.flush();
            return summary;
        }
    }

    /** Reads JSONL rows. A line that is no JSON object becomes an error result line at once. */
    Map<String, Row> readRows(Path input, List<String> unreadable) throws IOException {
        Map<String, Row> rows = new LinkedHashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = reader.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    unreadable.add(lineError(n, "line " + n + " is not valid JSON: " + e.getOriginalMessage()));
                    continue;
                }
                if (node == null || !node.isObject()) {
                    unreadable.add(lineError(n, "line " + n + " is not a JSON object; each line is one request"));
                    continue;
                }
                Row row;
                try {
                    FusionRequest request = RequestJson.parse(node);
                    row = new Row(n, request.getRequestId(), Topics.REQUEST.encode(request));
                } catch (RequestFieldException e) {
                    // Sent as JSON: the pipeline answers it with an invalid_request result naming the field.
                    String id = RequestJson.idOf(node);
                    row = new Row(n, id, line.getBytes(StandardCharsets.UTF_8));
                }
                rows.putIfAbsent(row.requestId(), row);
            }
        }
        return rows;
    }

    private static String lineError(int line, String message) throws IOException {
        var node = JSON.createObjectNode();
        node.put("request_id", "line-" + line);
        node.put("status", "error");
        node.put("error", message);
        node.put("failure_reason", "invalid_request");
        return JSON.writeValueAsString(node);
    }

    private void produce(Iterable<Row> rows) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (Row row : rows) {
                producer.send(new ProducerRecord<>(topics.requests(), row.requestId(), row.value()));
            }
            producer.flush();
        }
    }

    private RunSummary collect(java.util.Set<String> expected, BufferedWriter out, long started, int unreadable) throws IOException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        RunSummary.Tally tally = new RunSummary.Tally();
        Map<String, Boolean> written = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.results()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long lastProgress = System.currentTimeMillis();
            while (written.size() < expected.size()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (!expected.contains(record.key()) || written.containsKey(record.key()) || record.value() == null) continue;
                    FusionResult result = Topics.RESULT.decode(record.value());
                    out.write(ResultJson.toJson(result));
                    out.newLine();
                    written.put(record.key(), true);
                    tally.add(result);
                }
                if (System.currentTimeMillis() - lastProgress >= progressEvery.toMillis()) {
                    lastProgress = System.currentTimeMillis();
                    out.flush();
                    progress.println(tally.progressLine(expected.size(), System.currentTimeMillis() - started));
                }
            }
        }
        return tally.summary(expected.size(), unreadable, System.currentTimeMillis() - started);
    }
}
