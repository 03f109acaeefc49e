package fusion.connect;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.AbstractStatus;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;
import org.awaitility.Awaitility;

/**
 * A Kafka Connect standalone worker in this JVM, started as {@code connect-standalone.sh WORKER CONNECTOR...} starts
 * one: the shipped worker config (JsonConverter its default for keys and values), then each connector config file.
 */
final class StandaloneWorker implements AutoCloseable {
    static {
        // The CLI ends the JVM on a failed start; in a test that is a failure to report, not an exit.
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("the Connect worker would have exited with " + code + (message == null ? "" : ": " + message));
        });
    }

    private final Connect<StandaloneHerder> connect;

    private StandaloneWorker(Connect<StandaloneHerder> connect) {
        this.connect = connect;
    }

    /**
     * @param offsets the worker's offsets file: the same file for a restarted worker
     * @param connectors connector config files (.properties or .json), as given on the command line
     */
    static StandaloneWorker start(String bootstrapServers, Path offsets, Path... connectors) throws Exception {
        Map<String, String> worker = new HashMap<>(ShippedConfig.properties("connect-standalone.properties"));
        worker.put("bootstrap.servers", bootstrapServers);
        worker.put("offset.storage.file.filename", offsets.toString());
        worker.put("listeners", "http://127.0.0.1:0");
        // In this JVM the connectors are on the class path, not in a plugin directory (PluginDirIT covers that);
        // plugins are found by their service manifests, ours included, without scanning the whole test class path.
        worker.remove("plugin.path");
        worker.put("plugin.discovery", "service_load");
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try {
            ConnectStandalone cli = new ConnectStandalone();
            Connect<StandaloneHerder> connect = cli.startConnect(worker);
            String[] files = new String[connectors.length];
            for (int i = 0; i < connectors.length; i++) files[i] = connectors[i].toString();
            cli.processExtraArgs(connect, files);
            return new StandaloneWorker(connect);
        } finally {
            Thread.currentThread().setContextClassLoader(before); // the worker swaps in its plugin loader
        }
    }

    /** Creates (or replaces) a connector, as a PUT to /connectors/NAME/config does, and returns once the worker has taken it. */
    void run(Map<String, String> config) throws Exception {
        FutureCallback<Herder.Created<ConnectorInfo>> done = new FutureCallback<>();
        connect.herder().putConnectorConfig(config.get("name"), config, true, done);
        done.get(60, TimeUnit.SECONDS);
    }

    /** The connector's and its tasks' states, with a failed task's trace. */
    ConnectorStateInfo status(String connector) {
        return connect.herder().connectorStatus(connector);
    }

    /** Waits until the connector and each of its tasks run; a failed task fails the test with its trace. */
    void awaitRunning(String connector) {
        Awaitility.await(connector + " running").atMost(Duration.ofSeconds(30)).until(() -> {
            ConnectorStateInfo status = connect.herder().connectorStatus(connector);
            for (ConnectorStateInfo.TaskState task : status.tasks()) {
                if (AbstractStatus.State.FAILED.name().equals(task.state())) {
                    throw new AssertionError(connector + " task " + task.id() + " failed: " + task.trace());
                }
            }
            return AbstractStatus.State.RUNNING.name().equals(status.connector().state()) && !status.tasks().isEmpty()
                    && status.tasks().stream().allMatch(t -> AbstractStatus.State.RUNNING.name().equals(t.state()));
        });
    }

    /** Stops as connect-standalone.sh does on SIGTERM: tasks stopped, source offsets and sink offsets committed. */
    @Override
    public void close() {
        connect.stop();
        connect.awaitStop();
    }
}
