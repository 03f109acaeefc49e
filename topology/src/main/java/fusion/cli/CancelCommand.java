package fusion.cli;

import fusion.intake.Cancellations;
import fusion.runtime.FusionConfig;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fusion cancel}: requests of a batch not yet sent to models are answered with failure_reason cancelled. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancels a batch: its requests whose calls have not been sent yet get an error result with "
                + "failure_reason cancelled and cost nothing. Calls already in flight finish.")
public final class CancelCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--batch-id", required = true, paramLabel = "ID", description = "the batch to cancel")
    String batchId;

    @Override
    public Integer call() throws Exception {
        FusionConfig config = cluster.config("cancel");
        Map<String, Object> p = new HashMap<>(config.kafkaClient(cluster.bootstrapServers));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        var control = config.topics().control();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, control.keySerde().serializer(), control.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(control.name(), Cancellations.CANCEL_PREFIX + batchId,
                    "cancelled at " + Instant.now())).get();
        }
        System.out.println("batch " + batchId + " cancelled; its requests not yet sent to models will get failure_reason cancelled");
        return 0;
    }
}
