package fusion.runtime;

import fusion.schema.FusionRequest;
import fusion.topology.AvroSerde;
import fusion.topology.Topic;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Produces requests, keyed by request id, idempotently and with acks from all replicas. */
public final class Submitter {
    private final Map<String, Object> clientConfig;

    /** @param clientConfig bootstrap.servers and any security/client settings, passed through */
    public Submitter(Map<String, Object> clientConfig) {
        this.clientConfig = clientConfig;
    }

    /**
     * A row's value as it goes to {@code topic}: Avro rows as the topic's serde writes them (registry-framed when a
     * registry is set), rows kept as JSON as they are. Every producer of dataset rows writes these bytes.
     */
    public static byte[] onTheWire(Topic<String, FusionRequest> topic, DatasetRows.Row row) {
        return topic.valueSerde() instanceof AvroSerde<?> avro ? avro.reframe(topic.name(), row.value()) : row.value();
    }

    /**
     * Produces every row and waits until the broker has taken each one. Avro rows are written as the topic's
     * serde writes them ({@link #onTheWire}).
     *
     * @return how many were written
     * @throws KafkaException when any was not written (too large, not authorized, no such topic, ...)
     */
    public int submit(Topic<String, FusionRequest> topic, Iterable<DatasetRows.Row> rows) {
        Map<String, Object> p = new HashMap<>(clientConfig);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd"); // requests are text; see FusionApp
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, topic.keySerde().serializer(), new ByteArraySerializer())) {
            for (DatasetRows.Row row : rows) {
                sends.add(producer.send(new ProducerRecord<>(topic.name(), row.requestId(), onTheWire(topic, row))));
            }
            producer.flush();
        }
        // flush() waits for every send but reports none of their failures: ask each one.
        int failed = 0;
        Throwable first = null;
        for (Future<RecordMetadata> send : sends) {
            try {
                send.get();
            } catch (ExecutionException e) {
                failed++;
                if (first == null) first = e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("interrupted while waiting for the broker to take the requests", e);
            }
        }
        if (failed > 0) {
            throw new KafkaException(failed + " of " + sends.size() + " requests were not written to " + topic + ": " + first.getMessage(), first);
        }
        return sends.size();
    }
}
