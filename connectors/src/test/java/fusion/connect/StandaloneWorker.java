package fusion.connect;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;

/**
 * A real Kafka Connect standalone worker in this JVM, as {@code connect-standalone.sh} starts one: its REST server on a
 * free loopback port, source offsets in a file of its own. Its default converters are JsonConverter, as most workers'
 * are, so a connector config that works here sets its own converters.
 */
final class StandaloneWorker implements AutoCloseable {
    private final Path dir;
    private final Connect<StandaloneHerder> connect;

    private StandaloneWorker(Path dir, Connect<StandaloneHerder> connect) {
        this.dir = dir;
        this.connect = connect;
    }

    static StandaloneWorker start(String bootstrapServers) throws IOException {
        Path dir = Files.createTempDirectory("fusion-connect-");
        Map<String, String> worker = new HashMap<>();
        worker.put("bootstrap.servers", bootstrapServers);
        worker.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        worker.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        worker.put("offset.storage.file.filename", dir.resolve("connect.offsets").toString());
        worker.put("offset.flush.interval.ms", "500");
        worker.put("listeners", "http://127.0.0.1:0");
        // plugins are on the test classpath, each with its ServiceLoader manifest: no reflective scan of every jar
        worker.put("plugin.discovery", "service_load");
        return new StandaloneWorker(dir, new ConnectStandalone().startConnect(worker));
    }

    /** A connector config file as a standalone worker takes it, with {@code overrides} for this machine's addresses. */
    static Map<String, String> properties(Path file, Map<String, String> overrides) throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            properties.load(in);
        }
        Map<String, String> config = new HashMap<>();
        properties.stringPropertyNames().forEach(k -> config.put(k, properties.getProperty(k)));
        config.putAll(overrides);
        return config;
    }

    /** Creates (or replaces) the connector and returns once the worker has taken it. */
    void run(Map<String, String> config) throws Exception {
        FutureCallback<org.apache.kafka.connect.runtime.Herder.Created<org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo>> done =
                new FutureCallback<>();
        connect.herder().putConnectorConfig(config.get("name"), config, true, done);
        done.get(60, TimeUnit.SECONDS);
    }

    /** The connector's and its tasks' states, with a failed task's trace. */
    ConnectorStateInfo status(String connector) {
        return connect.herder().connectorStatus(connector);
    }

    @Override
    public void close() throws IOException {
        connect.stop();
        connect.awaitStop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
