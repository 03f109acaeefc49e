package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import fusion.cli.FusionCommand;
import fusion.model.ChatClient;
import fusion.model.ProviderRoutes;
import fusion.schema.FailedModel;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import picocli.CommandLine;

/**
 * {@code fusion status} and {@code fusion cancel} on a real broker: the streams app runs in this JVM
 * as {@code serve} runs it (cluster settings from a config file), with at most 2 calls in flight per
 * model; the commands run in this JVM through the CLI.
 */
class BatchControlTest {
    private static final String PANEL = "\"analysis_models\":[\"sim/alpha\",\"sim/beta\"]";
    /** The simulator answers a model named slow-N after N ms. */
    private static final String SLOW_PANEL = "\"analysis_models\":[\"sim/alpha-slow-2000\",\"sim/beta-slow-2000\"]";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    static SimulatedCluster cluster;
    static Path config;
    static ChatClient client;
    static FusionApp app;

    @BeforeAll
    static void startServing() throws Exception {
        cluster = SimulatedCluster.start(dir, Map.of());
        config = cluster.configFile("batch-control", Map.of(
                "fusion.application-id", "batch-control",
                "fusion.partitions", "2",
                "fusion.stream-threads", "1",
                "fusion.replication-factor", "1",
                "fusion.calls.max-in-flight-per-model", "2",
                "fusion.calls.retry.max-attempts", "1",
                // the panel-tasks audit topic tells the test when every task has reached the call stage
                "fusion.audit-topics", "true"));
        FusionConfig settings = FusionConfig.load(config, Map.of(), Map.of());
        client = ModelCalls.open(ProviderRoutes.fromProperties(settings.values(), name -> null), settings, new SimpleMeterRegistry());
        app = FusionApp.start(FusionApp.Settings.cluster(settings, cluster.bootstrapServers(), dir.resolve("state")),
                settings.topics(), settings.pipeline(), client, settings.capacity());
    }

    @AfterAll
    static void stopServing() throws Exception {
        if (app != null) app.close();
        if (client != null) client.close();
        if (cluster != null) cluster.close();
    }

    @Test
    @DisplayName("status --batch-id counts submitted, ok, degraded (judge failed), error (invalid, all panels failed) and in flight")
    void statusCountsAMixedBatch() throws Exception {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 3; i++) rows.add(row("mix-ok-" + i, PANEL + ",\"model\":\"sim/judge\""));
        for (int i = 0; i < 2; i++) rows.add(row("mix-degraded-" + i, PANEL + ",\"model\":\"sim/judge-always-400\""));
        rows.add(row("mix-invalid-temperature", PANEL + ",\"temperature\":3"));
        rows.add(row("mix-invalid-type", "\"analysis_models\":\"sim/alpha\""));
        rows.add(row("mix-all-failed", "\"analysis_models\":[\"sim/always-500\"],\"model\":\"sim/judge\""));
        rows.add(row("mix-in-flight", "\"analysis_models\":[\"sim/slow-600000\"],\"model\":\"sim/judge\""));
        assertThat(fusion("submit", jsonl("mix.jsonl", rows).toString(), "--batch-id", "mix")).isZero();

        BatchStatus.Counts counts = status("mix");
        long deadline = System.currentTimeMillis() + PATIENCE.toMillis();
        while (counts.done() < 8 && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            counts = status("mix");
        }

        assertThat(counts).isEqualTo(new BatchStatus.Counts("mix", 9, 3, 2, 3, false));
        assertThat(counts.inFlight()).isEqualTo(1);
        JsonNode json = counts.toJson();
        assertThat(json.get("status").asText()).isEqualTo("in_progress");
        assertThat(json.get("in_flight").asInt()).isEqualTo(1);
        assertThat(json.get("request_counts").get("total").asInt()).isEqualTo(9);
        assertThat(json.get("request_counts").get("completed").asInt()).isEqualTo(5);
        assertThat(json.get("request_counts").get("failed").asInt()).isEqualTo(3);
    }

    @Test
    @DisplayName("cancel --batch-id: requests not yet sent get failure_reason cancelled and cost nothing; every request still gets one result; a later request of the batch is cancelled at intake")
    void cancelStopsWhatWasNotSent() throws Exception {
        int requests = 10;
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < requests; i++) rows.add(row("slow-" + i, SLOW_PANEL + ",\"model\":\"sim/judge\""));
        assertThat(fusion("submit", jsonl("slow.jsonl", rows).toString(), "--batch-id", "slow")).isZero();
        long deadline = System.currentTimeMillis() + PATIENCE.toMillis();
        while (slowCalls() < 4 && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertThat(slowCalls()).as("both slow models have their 2 calls in flight").isGreaterThanOrEqualTo(4);

        while (panelTasks("slow-") < 2 * requests && System.currentTimeMillis() < deadline) Thread.sleep(50);
        assertThat(panelTasks("slow-")).as("every panel task has reached the call stage (same transaction as its panel-tasks record)")
                .isEqualTo(2 * requests);

        assertThat(fusion("cancel", "--batch-id", "slow")).isZero();

        Set<String> ids = IntStream.range(0, requests).mapToObj(i -> "slow-" + i).collect(Collectors.toSet());
        Map<String, List<FusionResult>> results = CommittedResults.read(cluster.bootstrapServers(), "fusion.results", ids, PATIENCE);
        assertThat(results.keySet()).isEqualTo(ids);
        assertThat(results.values()).as("exactly one result per request").allSatisfy(list -> assertThat(list).hasSize(1));
        List<FusionResult> cancelled = new ArrayList<>();
        int sentOutcomes = 0;
        for (List<FusionResult> list : results.values()) {
            FusionResult r = list.get(0);
            if (r.getStatus() == ResultStatus.error) {
                assertThat(r.getFailureReason()).as(r.toString()).isEqualTo("cancelled");
                assertThat(r.getResponses()).isEmpty();
                assertThat(r.getFailedModels()).as("queued behind the limit, never sent").hasSize(2)
                        .allSatisfy(f -> assertThat(f.getReason()).isEqualTo("cancelled"));
                cancelled.add(r);
            }
            sentOutcomes += r.getResponses().size();
            sentOutcomes += (int) r.getFailedModels().stream().map(FailedModel::getReason).filter(reason -> !reason.equals("cancelled")).count();
        }
        assertThat(cancelled).as("requests still queued behind the in-flight limit when the batch was cancelled").isNotEmpty();
        assertThat(slowCalls()).as("the models received exactly the calls whose outcomes were not cancelled").isEqualTo(sentOutcomes);

        assertThat(fusion("submit", jsonl("slow-late.jsonl", List.of(row("slow-late", SLOW_PANEL + ",\"model\":\"sim/judge\""))).toString(),
                "--batch-id", "slow")).isZero();
        FusionResult late = CommittedResults.read(cluster.bootstrapServers(), "fusion.results", Set.of("slow-late"), PATIENCE).get("slow-late").get(0);
        assertThat(late.getStatus()).isEqualTo(ResultStatus.error);
        assertThat(late.getFailureReason()).isEqualTo("cancelled");
        assertThat(late.getError()).as("answered by intake, before any panel task").contains("before this request reached the models");
        assertThat(late.getFailedModels()).isEmpty();
        assertThat(slowCalls()).isEqualTo(sentOutcomes);

        BatchStatus.Counts counts = status("slow");
        assertThat(counts.cancelled()).isTrue();
        assertThat(counts.submitted()).isEqualTo(requests + 1);
        assertThat(counts.errors()).isEqualTo(cancelled.size() + 1);
        assertThat(counts.inFlight()).isZero();
        assertThat(counts.toJson().get("status").asText()).isEqualTo("cancelled");
    }

    @Test
    @DisplayName("submit fails, exit 1, when the broker does not take its requests (here: records over kafka.max.request.size)")
    void submitReportsRequestsNotWritten() throws Exception {
        Path input = jsonl("too-big.jsonl", List.of(row("too-big-0", PANEL), row("too-big-1", PANEL)));

        assertThat(fusion("submit", input.toString(), "--batch-id", "too-big", "--set", "kafka.max.request.size=100")).isEqualTo(1);
        assertThat(status("too-big").submitted()).isZero();
    }

    /** Committed records on the panel-tasks topic whose key starts with {@code prefix}. */
    private static long panelTasks(String prefix) {
        return CommittedResults.keys(cluster.bootstrapServers(), "fusion.panel-tasks").stream().filter(k -> k.startsWith(prefix)).count();
    }

    /** What {@code fusion status --batch-id} reports, read as it reads it. */
    private static BatchStatus.Counts status(String batch) throws Exception {
        return new BatchStatus(Map.of("bootstrap.servers", cluster.bootstrapServers()), FusionConfig.load(config, Map.of(), Map.of()).topics())
                .of(batch);
    }

    private static long slowCalls() {
        return cluster.modelCalls().stream().filter(call -> call.get("model").asText().contains("slow-2000")).count();
    }

    private static String row(String id, String fields) {
        return "{\"id\":\"" + id + "\",\"prompt\":\"Question " + id + ": which of two approaches wins?\"," + fields + "}";
    }

    private static Path jsonl(String name, List<String> lines) throws Exception {
        return Files.write(dir.resolve(name), lines);
    }

    /** {@code fusion COMMAND --bootstrap-servers <broker> --config <file> ARGS...} in this JVM; its exit code. */
    private static int fusion(String command, String... args) {
        List<String> all = new ArrayList<>(List.of(command, "--bootstrap-servers", cluster.bootstrapServers(), "--config", config.toString()));
        all.addAll(List.of(args));
        return new CommandLine(new FusionCommand()).execute(all.toArray(String[]::new));
    }
}
