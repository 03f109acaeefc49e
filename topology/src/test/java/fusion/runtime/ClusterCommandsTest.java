package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode as an operator runs it: {@code serve}, {@code submit}, {@code collect} and
 * {@code status} as separate OS processes against one broker that this JVM runs, every model
 * answered by the simulator.
 */
class ClusterCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The file docker-compose.yml mounts into the app's container (tests run in topology/). */
    private static final Path DEPLOY_CONFIG = Path.of("..", "deploy", "fusion.properties").toAbsolutePath().normalize();
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration FINISH = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    static SimulatedCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = SimulatedCluster.start(dir, Map.of());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) cluster.close();
    }

    @Test
    @DisplayName("deploy/fusion.properties: submit, serve and collect as processes → one ok result per row; status counts them; SIGTERM stops serve and collect with exit 0")
    void submitServeCollectWithTheDeployConfig() throws Exception {
        int rows = 8;
        Path input = dataset("b1-questions.jsonl", rows);
        String[] deploy = {"--config", DEPLOY_CONFIG.toString(), "--set", "fusion.provider.openrouter.base-url=" + cluster.simulator.baseUrl()};

        try (FusionProcess serve = cluster.fusion("b1-serve", Map.of(), "serve", concat(deploy, "--state-dir", dir.resolve("b1-state").toString()))) {
            serve.awaitOutput(line -> line.startsWith("serving "), START);

            try (FusionProcess submit = cluster.fusion("b1-submit", Map.of(), "submit", concat(deploy, input.toString(), "--batch-id", "b1"))) {
                assertThat(submit.waitFor(FINISH)).as(submit.output()).isZero();
                assertThat(submit.output()).contains("submitted " + rows + " requests to fusion.requests as batch b1");
            }

            Path followed = dir.resolve("b1-followed.jsonl");
            try (FusionProcess follow = cluster.fusion("b1-follow", Map.of(), "collect",
                    concat(deploy, "--batch-id", "b1", "--out", followed.toString(), "--follow", "--progress-seconds", "1"))) {
                awaitLines(followed, rows, follow);
                assertThat(follow.stop(FINISH)).as("collect --follow exits 0 on SIGTERM\n" + follow.output()).isZero();
            }
            assertResults(followed, rows);

            Path collected = dir.resolve("b1-collected.jsonl");
            try (FusionProcess collect = cluster.fusion("b1-collect", Map.of(), "collect",
                    concat(deploy, "--batch-id", "b1", "--out", collected.toString()))) {
                assertThat(collect.waitFor(FINISH)).as(collect.output()).isZero();
            }
            assertResults(collected, rows);

            try (FusionProcess status = cluster.fusion("b1-status", Map.of(), "status", concat(deploy, "--batch-id", "b1"))) {
                assertThat(status.waitFor(FINISH)).as(status.output()).isZero();
                JsonNode counts = JSON.readTree(jsonPart(status.output()));
                assertThat(counts.get("batch_id").asText()).isEqualTo("b1");
                assertThat(counts.get("status").asText()).isEqualTo("completed");
                assertThat(counts.get("submitted").asInt()).isEqualTo(rows);
                assertThat(counts.get("ok").asInt()).isEqualTo(rows);
                assertThat(counts.get("degraded").asInt()).isZero();
                assertThat(counts.get("error").asInt()).isZero();
                assertThat(counts.get("in_flight").asInt()).isZero();
                assertThat(counts.get("request_counts").get("total").asInt()).isEqualTo(rows);
                assertThat(counts.get("request_counts").get("completed").asInt()).isEqualTo(rows);
                assertThat(counts.get("request_counts").get("failed").asInt()).isZero();
            }

            assertThat(serve.stop(FINISH)).as("serve exits 0 on SIGTERM\n" + serve.output()).isZero();
        }
        assertThat(CommittedResults.read(cluster.bootstrapServers(), "fusion.results", ids("b1-questions", rows), FINISH).values())
                .as("exactly one result per request on the results topic")
                .hasSize(rows)
                .allSatisfy(list -> assertThat(list).hasSize(1));
    }

    @Test
    @DisplayName("two serve instances with one application id share the partitions and every result arrives once; "
            + "kafka.* from the config file and KAFKA_* from the environment reach every Kafka client of serve, submit and collect")
    void twoInstancesShareTheWork() throws Exception {
        int rows = 16;
        Path input = dataset("s1-questions.jsonl", rows);
        Path config = cluster.configFile("scale", Map.of(
                "fusion.application-id", "scale",
                "fusion.topic.prefix", "scale.",
                "fusion.partitions", "4",
                "fusion.stream-threads", "1",
                "fusion.replication-factor", "1",
                "kafka.metric.reporters", ClientProbe.class.getName()));
        String[] settings = {"--config", config.toString()};

        try (FusionProcess a = cluster.fusion("s1-serve-a", Map.of("KAFKA_CLIENT_ID", "serve-a"), "serve",
                     concat(settings, "--state-dir", dir.resolve("s1-state-a").toString()));
             FusionProcess b = cluster.fusion("s1-serve-b", Map.of("KAFKA_CLIENT_ID", "serve-b"), "serve",
                     concat(settings, "--state-dir", dir.resolve("s1-state-b").toString()))) {
            a.awaitOutput(line -> line.startsWith("serving "), START);
            b.awaitOutput(line -> line.startsWith("serving "), START);
            try (FusionProcess submit = cluster.fusion("s1-submit", Map.of("KAFKA_CLIENT_ID", "submit"), "submit",
                    concat(settings, input.toString(), "--batch-id", "s1"))) {
                Map<String, Set<TopicPartition>> assignment = awaitAssignment("scale", Set.of("serve-a", "serve-b"));
                assertThat(assignment.get("serve-a")).as("serve-a's partitions").isNotEmpty();
                assertThat(assignment.get("serve-b")).as("serve-b's partitions").isNotEmpty();
                assertThat(union(assignment.values())).as("together they hold every partition of scale.requests")
                        .containsAll(IntStream.range(0, 4).mapToObj(i -> new TopicPartition("scale.requests", i)).toList());
                assertThat(submit.waitFor(FINISH)).as(submit.output()).isZero();
            }

            Map<String, List<FusionResult>> results = CommittedResults.read(cluster.bootstrapServers(), "scale.results",
                    ids("s1-questions", rows), FINISH);
            assertThat(results).hasSize(rows);
            assertThat(results.values()).as("exactly one result per request, whichever instance made it")
                    .allSatisfy(list -> assertThat(list).singleElement().satisfies(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.ok)));

            Path collected = dir.resolve("s1-collected.jsonl");
            try (FusionProcess collect = cluster.fusion("s1-collect", Map.of("KAFKA_CLIENT_ID", "collect"), "collect",
                    concat(settings, "--batch-id", "s1", "--out", collected.toString()))) {
                assertThat(collect.waitFor(FINISH)).as(collect.output()).isZero();
            }
            assertThat(Files.readAllLines(collected)).hasSize(rows);

            assertThat(a.stop(FINISH)).as(a.output()).isZero();
            assertThat(b.stop(FINISH)).as(b.output()).isZero();
        }

        List<ClientProbe.Client> clients = ClientProbe.read(dir);
        assertThat(clients).as("submit's producer").contains(new ClientProbe.Client("submit", "kafka.producer", "submit"));
        assertThat(clients).as("collect's consumer").contains(new ClientProbe.Client("collect", "kafka.consumer", "collect"));
        for (String instance : List.of("serve-a", "serve-b")) {
            List<ClientProbe.Client> serve = clients.stream().filter(c -> c.clientId().startsWith(instance)).toList();
            assertThat(serve).as(instance + "'s clients").allSatisfy(c -> assertThat(c.command()).isEqualTo("serve"));
            assertThat(serve).extracting(ClientProbe.Client::kind, ClientProbe.Client::clientId).as(instance + "'s clients").contains(
                    tuple("kafka.streams", instance),
                    tuple("kafka.consumer", instance + "-StreamThread-1-consumer"),
                    tuple("kafka.consumer", instance + "-StateUpdater-1-restore-consumer"),
                    tuple("kafka.consumer", instance + "-global-consumer"),
                    tuple("kafka.producer", instance + "-StreamThread-1-producer"),
                    tuple("kafka.admin.client", instance + "-admin"),
                    tuple("kafka.admin.client", instance + "-topics")); // the admin that creates the pipeline's topics
        }
    }

    /** Waits until the application's consumer group has a member with partitions for each of {@code instances} (client.id prefixes). */
    private static Map<String, Set<TopicPartition>> awaitAssignment(String group, Set<String> instances) throws Exception {
        Map<String, Set<TopicPartition>> byInstance = new HashMap<>();
        long deadline = System.nanoTime() + START.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            while (System.nanoTime() < deadline) {
                byInstance.clear();
                ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
                for (MemberDescription member : description.members()) {
                    for (String instance : instances) {
                        if (member.clientId().startsWith(instance + "-")) {
                            byInstance.computeIfAbsent(instance, k -> new HashSet<>()).addAll(member.assignment().topicPartitions());
                        }
                    }
                }
                if (description.groupState() == GroupState.STABLE && instances.stream().allMatch(i -> !byInstance.getOrDefault(i, Set.of()).isEmpty())) {
                    return byInstance;
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the group " + group + " did not give partitions to each of " + instances + " within " + START
                + "; last seen: " + byInstance);
    }

    private static Set<TopicPartition> union(Collection<Set<TopicPartition>> sets) {
        Set<TopicPartition> all = new HashSet<>();
        sets.forEach(all::addAll);
        return all;
    }

    private static Set<String> ids(String dataset, int rows) {
        return IntStream.range(0, rows).mapToObj(i -> dataset + "-" + i).collect(Collectors.toSet());
    }

    /** Rows with an id, a prompt and extra fields (which land in metadata); the simulator answers every model. */
    private static Path dataset(String name, int rows) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            lines.add("{\"id\":\"" + name.replace(".jsonl", "") + "-" + i + "\",\"prompt\":\"Question " + i
                    + ": which of two approaches wins?\",\"dataset_row\":" + i + ",\"source\":\"cluster-test\"}");
        }
        Path input = dir.resolve(name);
        Files.write(input, lines);
        return input;
    }

    /** The file holds exactly {@code rows} results, one per line, every one ok and tagged with the batch and the row's extra fields. */
    private static void assertResults(Path file, int rows) throws Exception {
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(rows);
        List<String> ids = new ArrayList<>();
        for (String line : lines) {
            JsonNode result = JSON.readTree(line);
            ids.add(result.get("request_id").asText());
            assertThat(result.get("status").asText()).as(line).isEqualTo("ok");
            assertThat(result.get("analysis").isObject()).as(line).isTrue();
            assertThat(result.get("responses")).as(line).hasSize(3);
            JsonNode metadata = result.get("metadata");
            assertThat(metadata.get("batch_id").asText()).isEqualTo("b1");
            assertThat(metadata.get("source").asText()).isEqualTo("cluster-test");
            assertThat(metadata.get("dataset_row").asText()).isEqualTo(result.get("request_id").asText().replaceAll(".*-", ""));
        }
        assertThat(ids).doesNotHaveDuplicates();
    }

    /** Waits until {@code file} has {@code lines} lines (collect flushes every progress interval). */
    private static void awaitLines(Path file, int lines, FusionProcess writer) throws Exception {
        long deadline = System.nanoTime() + FINISH.toNanos();
        while (System.nanoTime() < deadline && writer.alive()) {
            if (Files.exists(file) && Files.readAllLines(file).size() >= lines) return;
            Thread.sleep(100);
        }
        throw new AssertionError("no " + lines + " results in " + file + " within " + FINISH + "\n--- collect ---\n" + writer.output());
    }

    /** The JSON object a command printed, without the log lines around it. */
    private static String jsonPart(String output) {
        return output.substring(output.indexOf('{'), output.lastIndexOf('}') + 1);
    }

    private static String[] concat(String[] first, String... rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }
}
