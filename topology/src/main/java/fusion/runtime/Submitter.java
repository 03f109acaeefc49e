package fusion.runtime;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Produces requests, keyed by request id, idempotently and with acks from all replicas. */
public final class Submitter {
    private final Map<String, Object> clientConfig;

    /** @param clientConfig bootstrap.servers and any security/client settings, passed through */
    public Submitter(Map<String, Object> clientConfig) {
        this.clientConfig = clientConfig;
    }

    public int submit(String topic, Iterable<DatasetRows.Row> rows) {
        Map<String, Object> p = new HashMap<>(clientConfig);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        int sent = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (DatasetRows.Row row : rows) {
                producer.send(new ProducerRecord<>(topic, row.requestId(), row.value()));
                sent++;
            }
            producer.flush();
        }
        return sent;
    }
}
