package fusion.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsContext;
import org.apache.kafka.common.metrics.MetricsReporter;

/**
 * A metrics reporter that notes every Kafka client it is configured into: a line of the fusion
 * command, the client's kind ({@code kafka.producer}, {@code kafka.consumer}, {@code kafka.admin.client},
 * {@code kafka.streams}) and its client.id, appended to {@value #FILE} in the working directory.
 * Every kind of client takes {@code metric.reporters}, so given as {@code kafka.metric.reporters}
 * it shows which clients a setting reached.
 */
public final class ClientProbe implements MetricsReporter {
    static final String FILE = "kafka-clients.probe";

    private String clientId;

    /** What a probe line says. */
    record Client(String command, String kind, String clientId) {
        static Client parse(String line) {
            String[] f = line.split("\t");
            return new Client(f[0], f[1], f[2]);
        }
    }

    static List<Client> read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        return Files.exists(file) ? Files.readAllLines(file).stream().map(Client::parse).toList() : List.of();
    }

    @Override
    public void configure(Map<String, ?> configs) {
        clientId = String.valueOf(configs.get("client.id"));
    }

    @Override
    public void contextChange(MetricsContext context) {
        String[] command = System.getProperty("sun.java.command", "? ?").split(" ");
        String line = (command.length > 1 ? command[1] : "?") + "\t" + context.contextLabels().get(MetricsContext.NAMESPACE) + "\t" + clientId + "\n";
        try {
            // one short append per client: whole lines even with several processes writing
            Files.writeString(Path.of(FILE), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void init(List<KafkaMetric> metrics) {}

    @Override
    public void metricChange(KafkaMetric metric) {}

    @Override
    public void metricRemoval(KafkaMetric metric) {}

    @Override
    public void close() {}
}
