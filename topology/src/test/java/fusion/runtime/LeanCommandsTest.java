package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.cli.FusionCommand;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lean runnable set: fusion.jar with target/lib, the runtime class path without the embedded broker's module
 * (fusion-broker, provided) and Kafka's Scala server. The cluster commands run on it as separate processes against
 * a broker this JVM runs; {@code fusion run}, which needs the embedded broker, says in a line what to do.
 */
class LeanCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration FINISH = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    static SimulatedCluster cluster;
    static String lean;

    @BeforeAll
    static void start() throws Exception {
        lean = leanClassPath();
        cluster = SimulatedCluster.start(dir, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    @Test
    @DisplayName("the lean class path holds no fusion-broker, kafka_2.13, kafka-server or scala-library jar")
    void theLeanClassPathHasNoBroker() {
        List<String> jars = List.of(lean.split(File.pathSeparator)).stream().map(e -> Path.of(e).getFileName().toString()).toList();
        assertThat(jars).as("the lean set still runs the CLI and Kafka Streams").anyMatch(n -> n.startsWith("kafka-streams-"));
        assertThat(jars).noneMatch(n -> n.startsWith("kafka_2.13") || n.startsWith("kafka-server") || n.startsWith("scala-")
                || n.startsWith("fusion-broker") || n.equals("broker"));
    }

    @Test
    @DisplayName("on the lean class path, serve, submit, collect, status and cancel run a batch and cancel another against a Kafka cluster")
    void clusterCommandsRunWithoutTheBroker() throws Exception {
        int rows = 4;
        Path config = cluster.configFile("lean", Map.of(
                "fusion.application-id", "lean",
                "fusion.topic.prefix", "lean.",
                "fusion.partitions", "2",
                "fusion.replication-factor", "1"));
        try (FusionProcess serve = lean("serve", "serve", "--config", config.toString(), "--state-dir", dir.resolve("serve").toString())) {
            serve.awaitOutput(line -> line.startsWith("serving "), START);

            try (FusionProcess submit = lean("submit-l1", "submit", "--config", config.toString(), dataset("l1", rows).toString(), "--batch-id", "l1")) {
                assertThat(submit.waitFor(FINISH)).as(submit.output()).isZero();
                assertThat(submit.output()).contains("submitted " + rows + " requests to lean.requests as batch l1");
            }
            CommittedResults.read(cluster.bootstrapServers(), "lean.results", ids("l1", rows), FINISH);
            assertThat(collect(config, "l1")).hasSize(rows).allSatisfy(r -> assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("ok"));
            JsonNode done = status(config, "l1");
            assertThat(done.get("status").asText()).isEqualTo("completed");
            assertThat(done.get("ok").asInt()).isEqualTo(rows);

            try (FusionProcess cancel = lean("cancel-l2", "cancel", "--config", config.toString(), "--batch-id", "l2")) {
                assertThat(cancel.waitFor(FINISH)).as(cancel.output()).isZero();
            }
            assertThat(status(config, "l2").get("status").asText()).isEqualTo("cancelled");
            try (FusionProcess submit = lean("submit-l2", "submit", "--config", config.toString(), dataset("l2", 2).toString(), "--batch-id", "l2")) {
                assertThat(submit.waitFor(FINISH)).as(submit.output()).isZero();
            }
            CommittedResults.read(cluster.bootstrapServers(), "lean.results", ids("l2", 2), FINISH);
            assertThat(collect(config, "l2")).as("a batch cancelled before it was submitted is cancelled at intake").hasSize(2)
                    .allSatisfy(r -> assertThat(r.get("failure_reason").asText()).as(r.toString()).isEqualTo("cancelled"));

            assertThat(serve.stop(FINISH)).as(serve.output()).isZero();
            assertThat(serve.output()).as("serve never reached for the embedded broker").doesNotContain("NoClassDefFoundError", "ClassNotFoundException");
        }
    }

    @Test
    @DisplayName("on the lean class path, fusion run says in one line that it needs the broker's jars and how to get them, exit 2")
    void runWithoutTheBrokerSaysWhatToDo() throws Exception {
        Path input = dataset("r1", 1);
        try (FusionProcess run = FusionProcess.startOn(lean, dir, dir.resolve("run.out"), "run", input.toString(), "--out",
                dir.resolve("r1-results.jsonl").toString(), "--simulate", "--state-dir", dir.resolve("run-state").toString())) {
            assertThat(run.waitFor(FINISH)).as(run.output()).isEqualTo(2);
            assertThat(run.output().lines()).as(run.output()).singleElement().asString()
                    .startsWith("fusion run: ").contains("embedded Kafka broker", "broker-lib", "./fusion run", "--bootstrap-servers");
        }
        assertThat(dir.resolve("r1-results.jsonl")).doesNotExist();
    }

    /** This module's classes and the runtime dependencies Maven wrote to target/lean.classpath: what target/lib holds. */
    private static String leanClassPath() throws Exception {
        Path classes = Path.of(FusionCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dependencies = classes.getParent().resolve("lean.classpath");
        return classes + File.pathSeparator + Files.readString(dependencies).trim();
    }

    private FusionProcess lean(String name, String command, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(command, "--bootstrap-servers", cluster.bootstrapServers()));
        all.addAll(List.of(args));
        return FusionProcess.startOn(lean, dir, dir.resolve(name + ".out"), all.toArray(String[]::new));
    }

    private List<JsonNode> collect(Path config, String batch) throws Exception {
        Path out = dir.resolve(batch + "-collected.jsonl");
        try (FusionProcess collect = lean("collect-" + batch, "collect", "--config", config.toString(), "--batch-id", batch, "--out", out.toString())) {
            assertThat(collect.waitFor(FINISH)).as(collect.output()).isZero();
        }
        List<JsonNode> results = new ArrayList<>();
        for (String line : Files.readAllLines(out)) results.add(JSON.readTree(line));
        return results;
    }

    private JsonNode status(Path config, String batch) throws Exception {
        try (FusionProcess status = lean("status-" + batch, "status", "--config", config.toString(), "--batch-id", batch)) {
            assertThat(status.waitFor(FINISH)).as(status.output()).isZero();
            String out = status.output();
            return JSON.readTree(out.substring(out.indexOf('{'), out.lastIndexOf('}') + 1));
        }
    }

    private static Set<String> ids(String batch, int rows) {
        return IntStream.range(0, rows).mapToObj(i -> batch + "-" + i).collect(Collectors.toSet());
    }

    private static Path dataset(String batch, int rows) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < rows; i++) lines.add("{\"id\":\"" + batch + "-" + i + "\",\"prompt\":\"Question " + i + ": which of two approaches wins?\"}");
        Path input = dir.resolve(batch + ".jsonl");
        Files.write(input, lines);
        return input;
    }
}
