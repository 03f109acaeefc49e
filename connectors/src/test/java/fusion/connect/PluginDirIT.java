package fusion.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.runtime.CommittedResults;
import fusion.runtime.KafkaTestCluster;
import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin as {@code mvn package} builds it (failsafe runs this after package): what its folder holds, and that
 * a worker of its own, with only Connect on its class path and the folder as its plugin.path, runs both connectors.
 */
class PluginDirIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PLUGINS = Path.of(System.getProperty("fusion.plugin.dir", "target/plugin"));
    private static final Path PLUGIN = PLUGINS.resolve("fusion-connectors");

    @TempDir
    Path dir;

    private static List<String> jars() throws IOException {
        try (Stream<Path> files = Files.list(PLUGIN)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
        }
    }

    @Test
    @DisplayName("the plugin folder and its zip hold our jars and what they need, and no jar a worker has: no Kafka clients, no Connect, "
            + "no broker, no Streams, no logging binding")
    void pluginFolderHoldsNoWorkerJars() throws Exception {
        assertThat(PLUGIN).as("built by mvn package").isDirectory();
        List<String> jars = jars();
        assertThat(jars).anyMatch(n -> n.startsWith("fusion-connectors-")).anyMatch(n -> n.startsWith("fusion-topology-"))
                .anyMatch(n -> n.startsWith("parquet-avro-")).anyMatch(n -> n.startsWith("avro-")).anyMatch(n -> n.startsWith("jackson-databind-"));
        assertThat(jars).noneMatch(n -> n.startsWith("kafka-clients") || n.startsWith("connect-") || n.startsWith("kafka_")
                || n.startsWith("kafka-server") || n.startsWith("kafka-streams") || n.startsWith("rocksdbjni")
                || n.startsWith("slf4j-") || n.startsWith("logback-"));
        assertThat(PLUGIN.resolve("config").resolve("fusion-dataset-source.properties")).isRegularFile();

        Path zip = Path.of(System.getProperty("fusion.plugin.zip", "target/plugin.zip"));
        try (ZipFile z = new ZipFile(zip.toFile())) {
            List<String> zipped = z.stream().map(e -> e.getName()).filter(n -> n.endsWith(".jar"))
                    .map(n -> n.substring(n.lastIndexOf('/') + 1)).sorted().toList();
            assertThat(zipped).isEqualTo(jars);
            assertThat(z.stream().map(e -> e.getName())).allMatch(n -> n.startsWith("fusion-connectors/"));
        }
    }

    @Test
    @DisplayName("a worker process with only Connect on its class path and plugin.path at the folder → both connectors load from it and run: "
            + "a directory's rows (JSONL, CSV, Parquet) on the requests topic, a bad row's result in the sink's file, and in a second "
            + "sink's Parquet dataset (the plugin holds what the Parquet writer needs)")
    void workerRunsThePluginFromItsFolder() throws Exception {
        Path datasets = Files.createDirectories(dir.resolve("datasets"));
        Files.write(datasets.resolve("a.jsonl"), List.of(DatasetFiles.jsonLine("j1"), "not JSON at all"));
        DatasetFiles.csv(datasets.resolve("b.csv"), List.of("c1"));
        DatasetFiles.parquet(datasets.resolve("c.parquet"), List.of("p1"));
        Path results = dir.resolve("results.jsonl");
        Path dataset = dir.resolve("results.parquet");

        try (KafkaClusterTestKit kafka = KafkaTestCluster.start()) {
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            Properties worker = new Properties();
            worker.putAll(ShippedConfig.properties("connect-standalone.properties"));
            worker.put("bootstrap.servers", kafka.bootstrapServers());
            worker.put("offset.storage.file.filename", dir.resolve("offsets").toString());
            worker.put("plugin.path", PLUGINS.toAbsolutePath().toString());
            worker.put("listeners", "http://127.0.0.1:" + port);
            Path workerFile = dir.resolve("worker.properties");
            try (Writer w = Files.newBufferedWriter(workerFile)) {
                worker.store(w, null);
            }
            Path source = ShippedConfig.placed("fusion-dataset-source.properties", Map.of(DatasetSourceConfig.DIR, datasets.toString()), dir);
            Path sink = ShippedConfig.placed("fusion-results-sink.properties", Map.of(ResultsSinkConfig.FILE, results.toString()), dir);
            Path parquetSink = dir.resolve("fusion-results-parquet.properties");
            Properties parquet = new Properties();
            parquet.putAll(ShippedConfig.properties("fusion-results-sink.properties"));
            parquet.put("name", "fusion-results-parquet");
            parquet.put(ResultsSinkConfig.FILE, dataset.toString());
            try (Writer w = Files.newBufferedWriter(parquetSink)) {
                parquet.store(w, null);
            }

            Process process = startWorker(workerFile, source, sink, parquetSink);
            try {
                HttpClient http = HttpClient.newHttpClient();
                for (String connector : List.of("fusion-dataset-source", "fusion-results-sink", "fusion-results-parquet")) {
                    try {
                        Awaitility.await(connector + " running").atMost(Duration.ofSeconds(60)).ignoreExceptionsInstanceOf(IOException.class)
                                .until(() -> running(http, port, connector, process));
                    } catch (org.awaitility.core.ConditionTimeoutException e) {
                        throw new AssertionError(connector + " did not run; the worker's log ends:\n" + tail(), e);
                    }
                }
                try {
                    Awaitility.await("the bad row's result in the file and the dataset").atMost(Duration.ofSeconds(60))
                            .until(() -> ResultsFile.ids(results).contains("a.jsonl:line-2") && ResultsFile.ids(dataset).contains("a.jsonl:line-2"));
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("no result for the bad row in " + results + " or " + dataset + "; the worker's log ends:\n" + tail(), e);
                }
                assertThat(CommittedResults.keys(kafka.bootstrapServers(), "fusion.requests")).containsExactlyInAnyOrder("j1", "c1", "p1");
                JsonNode bad = ResultsFile.lines(results).get(0);
                assertThat(bad.get("failure_reason").asText()).isEqualTo("invalid_request");
                assertThat(ResultsFile.lines(dataset)).containsExactly(bad);
            } finally {
                process.destroy();
                process.waitFor();
            }
        }
    }

    /**
     * Jars of a Kafka distribution's libs/ that our own dependencies bring too, so Maven lists them under compile, not
     * among the provided ones: Jackson (Connect's JSON) and the compression codecs of the Kafka clients. And a logging
     * binding, for the worker's log.
     */
    private static final List<String> ALSO_THE_WORKERS = List.of("/com/fasterxml/jackson/core/", "/com/github/luben/zstd-jni/",
            "/org/xerial/snappy/", "/ch/qos/logback/");

    /** connect-standalone.sh, with the class path a bare worker has: Connect, the Kafka clients, and nothing of ours. */
    private Process startWorker(Path... args) throws IOException {
        List<String> classpath = new ArrayList<>(List.of(Files.readString(Path.of(System.getProperty("fusion.worker.classpath",
                "target/worker.classpath"))).strip().split(File.pathSeparator)));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (ALSO_THE_WORKERS.stream().anyMatch(entry::contains)) classpath.add(entry);
        }
        assertThat(classpath).noneMatch(e -> e.contains("fusion") || e.contains("parquet") || e.contains("avro"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-cp", String.join(File.pathSeparator, classpath), "org.apache.kafka.connect.cli.ConnectStandalone"));
        for (Path a : args) command.add(a.toString());
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("worker.out").toFile()).start();
    }

    private boolean running(HttpClient http, int port, String connector, Process process) throws Exception {
        if (!process.isAlive()) throw new AssertionError("the worker exited:\n" + tail());
        HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/connectors/" + connector + "/status"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (status.statusCode() != 200) return false;
        JsonNode body = JSON.readTree(status.body());
        for (JsonNode task : body.path("tasks")) {
            if (task.path("state").asText().equals("FAILED")) throw new AssertionError(connector + " failed: " + task.path("trace").asText());
        }
        return body.path("connector").path("state").asText().equals("RUNNING") && !body.path("tasks").isEmpty()
                && body.path("tasks").get(0).path("state").asText().equals("RUNNING");
    }

    /** The worker's warnings and errors first (its default log level is DEBUG, which buries them), then its last lines. */
    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("worker.out"));
        List<String> problems = lines.stream().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.startsWith("Caused by")).toList();
        return String.join("\n", problems.subList(Math.max(0, problems.size() - 40), problems.size())) + "\n--- last lines ---\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }
}
