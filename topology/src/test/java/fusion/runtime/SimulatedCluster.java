package fusion.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.test.KafkaClusterTestKit;

/**
 * What the cluster-mode tests share: one real in-process KRaft broker, one simulator that logs
 * every call it receives, and config files that route every model to that simulator. One per test
 * class; each test keeps to its own topic prefix or batch id.
 */
public final class SimulatedCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public final Path dir;
    public final KafkaClusterTestKit kafka;
    public final Simulator simulator;
    private final Path requestLog;

    private SimulatedCluster(Path dir, KafkaClusterTestKit kafka, Simulator simulator, Path requestLog) {
        this.dir = dir;
        this.kafka = kafka;
        this.simulator = simulator;
        this.requestLog = requestLog;
    }

    /** @param simulatorSettings fusion.simulator.* settings over a fast default (latency 20 ms) */
    public static SimulatedCluster start(Path dir, Map<String, String> simulatorSettings) throws Exception {
        return start(dir, simulatorSettings, KafkaTestCluster.start());
    }

    /** The same on a cluster the caller started (several brokers, say); closing this closes it. */
    public static SimulatedCluster start(Path dir, Map<String, String> simulatorSettings, KafkaClusterTestKit kafka) throws Exception {
        Path requestLog = dir.resolve("simulator-requests.jsonl");
        Map<String, String> sim = new HashMap<>(Map.of(
                "fusion.simulator.latency-ms", "20",
                "fusion.simulator.jitter-ms", "5",
                "fusion.simulator.request-log", requestLog.toString()));
        sim.putAll(simulatorSettings);
        return new SimulatedCluster(dir, kafka, Simulator.start(SimulatorConfig.fromProperties(sim)), requestLog);
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** Settings that send every model to the simulator (plain http, so no API key is needed). */
    Map<String, String> simulatorProvider() {
        return Map.of(
                "fusion.providers", "sim",
                "fusion.provider.default", "sim",
                "fusion.provider.sim.base-url", simulator.baseUrl());
    }

    /** Writes {@code name}.properties: the simulator provider, then {@code settings}. */
    public Path configFile(String name, Map<String, String> settings) throws IOException {
        Properties p = new Properties();
        p.putAll(simulatorProvider());
        p.putAll(settings);
        Path file = dir.resolve(name + ".properties");
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, "written by the test");
        }
        return file;
    }

    /**
     * {@code fusion COMMAND --bootstrap-servers <this broker> ARGS...} as a separate process in this
     * cluster's directory, with {@code env} added to its environment; its output goes to {@code name}.out.
     */
    public FusionProcess fusion(String name, Map<String, String> env, String command, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(command, "--bootstrap-servers", bootstrapServers()));
        all.addAll(List.of(args));
        return FusionProcess.start(dir, dir.resolve(name + ".out"), env, all.toArray(String[]::new));
    }

    /** Every chat-completion call the simulator received, one JSON object ({@code model}, {@code key}, {@code ts}) each. */
    public List<JsonNode> modelCalls() {
        try {
            List<JsonNode> calls = new ArrayList<>();
            if (!Files.exists(requestLog)) return calls;
            for (String line : Files.readAllLines(requestLog)) {
                if (!line.isBlank()) calls.add(JSON.readTree(line));
            }
            return calls;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            simulator.close();
        } finally {
            kafka.close();
        }
    }
}
