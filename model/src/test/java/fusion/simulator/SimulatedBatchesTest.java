package fusion.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.model.ChatMessage;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.FailureKind;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderConfig;
import fusion.model.ProviderRoutes;
import fusion.model.batch.BatchApi;
import fusion.model.batch.BatchCost;
import fusion.model.batch.BatchException;
import fusion.model.batch.BatchLine;
import fusion.model.batch.BatchProgress;
import fusion.model.batch.BatchResults;
import fusion.model.batch.BatchRetry;
import fusion.model.batch.BatchStatus;
import fusion.model.batch.OpenAiBatchApi;
import fusion.model.batch.OpenRouterBatchApi;
import fusion.model.batch.SubmittedBatch;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator's batch endpoints end to end, through the same batch clients a run uses. */
class SimulatedBatchesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final BatchRetry FAST = new BatchRetry(2, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(5));
    static final String PANEL = "openai/gpt-5-mini";

    final List<AutoCloseable> open = new ArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) c.close();
    }

    Simulator simulator(Map<String, String> settings) {
        java.util.HashMap<String, String> all = new java.util.HashMap<>(Map.of("fusion.simulator.latency-ms", "0"));
        all.putAll(settings);
        Simulator sim = Simulator.start(SimulatorConfig.fromProperties(all));
        open.add(sim);
        return sim;
    }

    static ProviderConfig providerFor(Simulator sim) {
        return ProviderConfig.of("openrouter", sim.baseUrl(), null);
    }

    /** A fresh simulator whose batches behave as {@code settings} say, and an OpenRouter batch client pointed at it. */
    OpenRouterBatchApi openRouter(SimulatedBatches.Settings settings) {
        Simulator sim = simulator(Map.of());
        sim.batches().configure(settings);
        last = sim;
        return openRouter(sim);
    }

    Simulator last;

    /** Submits, polls to the end and reads the results. */
    static BatchResults runToEnd(BatchApi api, String model, List<BatchLine> lines) throws BatchException {
        SubmittedBatch batch = api.submit(model, lines);
        pollToEnd(api, batch);
        return api.results(batch);
    }

    OpenRouterBatchApi openRouter(Simulator sim) {
        return new OpenRouterBatchApi(providerFor(sim), http, FAST, BatchCost.REPORTED_ONLY);
    }

    static List<BatchLine> lines(String model, int n) {
        List<BatchLine> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add(new BatchLine("row-" + i + ":panel:" + model, ChatRequest.of(model, List.of(ChatMessage.user("Question number " + i + " about Kafka streams")))));
        }
        return lines;
    }

    /** Polls until the batch ends, as a caller would (without the waits); the number of polls it took. */
    static int pollToEnd(BatchApi api, SubmittedBatch batch) throws BatchException {
        int polls = 0;
        BatchProgress p;
        do {
            p = api.poll(batch.batchId());
            polls++;
        } while (!p.terminal() && polls < 100);
        return polls;
    }

    @Test
    @DisplayName("a batch completes after the configured number of polls; each line gets what a synchronous call gets; no chat call is made")
    void turnaroundAndSameContent() throws Exception {
        OpenRouterBatchApi api = openRouter(new SimulatedBatches.Settings(3, 0, 0, 1000));
        Simulator sim = last;
        List<BatchLine> lines = lines(PANEL, 5);

        SubmittedBatch batch = api.submit(PANEL, lines);
        int polls = pollToEnd(api, batch);
        BatchResults results = api.results(batch);

        assertThat(polls).isEqualTo(4);
        assertThat(results.status()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(results.missing()).isEmpty();
        assertThat(sim.callCount()).as("no synchronous chat call").isZero();
        Simulator syncSim = simulator(Map.of());
        try (OpenAiChatClient sync = new OpenAiChatClient(ProviderRoutes.single("sim", syncSim.baseUrl(), null), Duration.ofSeconds(5))) {
            for (BatchLine line : lines) {
                ChatOutcome direct = sync.complete(line.request()).join();
                ChatOutcome batched = results.outcomes().get(line.customId());
                assertThat(batched.content()).isEqualTo(direct.content()).startsWith("(simulated answer from " + PANEL + ")");
                assertThat(batched.usage()).isEqualTo(direct.usage());
            }
        }
    }

    @Test
    @DisplayName("per-line failures and missing lines are drawn deterministically: the same lines fail the same way on every run")
    void perLineFailuresDeterministic() throws Exception {
        SimulatedBatches.Settings faults = new SimulatedBatches.Settings(0, 0.2, 0.2, 1000);
        BatchResults first = runToEnd(openRouter(faults), PANEL, lines(PANEL, 200));
        BatchResults second = runToEnd(openRouter(faults), PANEL, lines(PANEL, 200));

        List<String> failed = first.outcomes().entrySet().stream().filter(e -> !e.getValue().succeeded()).map(Map.Entry::getKey).toList();
        assertThat(first.missing()).isNotEmpty().isEqualTo(second.missing());
        assertThat(failed).isNotEmpty()
                .isEqualTo(second.outcomes().entrySet().stream().filter(e -> !e.getValue().succeeded()).map(Map.Entry::getKey).toList());
        assertThat(first.outcomes().get(failed.get(0)).failure()).as("a failed line is typed, and retryable").isEqualTo(FailureKind.UPSTREAM_ERROR);
        assertThat(first.outcomes().size() + first.missing().size()).isEqualTo(200);
        assertThat(failed.size()).isBetween(20, 60);
        assertThat(first.missing().size()).isBetween(20, 60);
    }

    @Test
    @DisplayName("more results than come inline → the client reads them paginated from the simulator, all of them")
    void paginatedFromSimulator() throws Exception {
        BatchResults results = runToEnd(openRouter(new SimulatedBatches.Settings(0, 0, 0, 10)), PANEL, lines(PANEL, 1500));

        assertThat(results.outcomes()).hasSize(1500);
        assertThat(results.missing()).isEmpty();
    }

    @Test
    @DisplayName("magic models: batch-expired expires with half its lines answered, batch-failed fails whole with a reason")
    void expiredAndFailed() throws Exception {
        OpenRouterBatchApi api = openRouter(new SimulatedBatches.Settings(1, 0, 0, 1000));

        BatchResults partial = runToEnd(api, "sim/batch-expired", lines("sim/batch-expired", 4));
        SubmittedBatch failed = api.submit("sim/batch-failed", lines("sim/batch-failed", 4));
        pollToEnd(api, failed);

        assertThat(partial.status()).isEqualTo(BatchStatus.EXPIRED);
        assertThat(partial.outcomes()).hasSize(2);
        assertThat(partial.missing()).hasSize(2);
        BatchProgress progress = api.poll(failed.batchId());
        assertThat(progress.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(progress.error()).contains("simulated failure");
        assertThat(api.results(failed).missing()).hasSize(4);
    }

    @Test
    @DisplayName("OpenAI's flow against the simulator: file upload, batch, output and error files; failed lines typed; cancel")
    void openAiFlow() throws Exception {
        Simulator sim = simulator(Map.of());
        sim.batches().configure(new SimulatedBatches.Settings(1, 0.3, 0, 1000));
        OpenAiBatchApi api = new OpenAiBatchApi(ProviderConfig.of("openai", sim.baseUrl(), null), http, FAST, BatchCost.REPORTED_ONLY);

        BatchResults results = runToEnd(api, PANEL, lines(PANEL, 20));
        SubmittedBatch cancelled = api.submit(PANEL, lines(PANEL, 4));
        boolean accepted = api.cancel(cancelled.batchId());

        assertThat(results.status()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(results.outcomes()).hasSize(20);
        assertThat(results.outcomes().values()).anyMatch(ChatOutcome::succeeded)
                .anyMatch(o -> o.failure() == FailureKind.UPSTREAM_ERROR);
        assertThat(results.outcomes().values().stream().filter(ChatOutcome::succeeded))
                .allSatisfy(o -> assertThat(o.content()).startsWith("(simulated answer from " + PANEL + ")"));
        assertThat(accepted).isTrue();
        assertThat(api.poll(cancelled.batchId()).status()).isEqualTo(BatchStatus.CANCELLED);
        assertThat(sim.batches().submissions()).extracting(SimulatedBatches.Submission::api).containsExactly("openai", "openai");
        assertThat(sim.callCount()).isZero();
    }

    @Test
    @DisplayName("the request log has one batch line per submission (model and size) and no chat-call line")
    void submissionsLogged() throws Exception {
        Path log = dir.resolve("requests.jsonl");
        Simulator sim = simulator(Map.of("fusion.simulator.request-log", log.toString()));
        OpenRouterBatchApi api = openRouter(sim);

        api.submit(PANEL, lines(PANEL, 3));
        api.submit("anthropic/claude-opus", lines("anthropic/claude-opus", 2));

        assertThat(sim.batches().submissions()).extracting(SimulatedBatches.Submission::model, s -> s.customIds().size())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(PANEL, 3), org.assertj.core.groups.Tuple.tuple("anthropic/claude-opus", 2));
        List<JsonNode> logged = new ArrayList<>();
        for (String line : Files.readAllLines(log)) logged.add(JSON.readTree(line));
        assertThat(logged).hasSize(2).allSatisfy(l -> assertThat(l.has("batch")).isTrue());
        assertThat(logged).extracting(l -> l.path("requests").asInt()).containsExactly(3, 2);
    }

    @Test
    @DisplayName("settings come from fusion.simulator.batch.* properties; a bad value is refused, naming the setting")
    void settingsFromProperties() {
        assertThat(SimulatedBatches.Settings.fromProperties(Map.of())).isEqualTo(SimulatedBatches.Settings.DEFAULTS);
        assertThat(SimulatedBatches.Settings.fromProperties(Map.of("fusion.simulator.batch.turnaround-polls", "5",
                "fusion.simulator.batch.failure.line", "0.1", "fusion.simulator.batch.failure.missing", "0.05",
                "fusion.simulator.batch.inline-results", "20", "fusion.simulator.batch.create-failures", "2")))
                .isEqualTo(new SimulatedBatches.Settings(5, 0.1, 0.05, 20, 2));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SimulatedBatches.Settings.fromProperties(Map.of("fusion.simulator.batch.turnaround-polls", "-1")))
                .hasMessageContaining("fusion.simulator.batch.turnaround-polls is -1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SimulatedBatches.Settings.fromProperties(Map.of("fusion.simulator.batch.failure.line", "0.8",
                "fusion.simulator.batch.failure.missing", "0.5"))).hasMessageContaining("adding up to at most 1");
    }

    @Test
    @DisplayName("with a required key, a batch call without it is answered 401, typed unauthorized")
    void requiresKey() {
        Simulator sim = simulator(Map.of("fusion.simulator.require-key", "sk-sim-secret-0123456789"));
        OpenRouterBatchApi api = new OpenRouterBatchApi(ProviderConfig.of("openrouter", sim.baseUrl(), "sk-wrong-key-0123456789"), http, FAST,
                BatchCost.REPORTED_ONLY);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> api.submit(PANEL, lines(PANEL, 1)))
                .isInstanceOfSatisfying(BatchException.class, e -> {
                    assertThat(e.kind()).isEqualTo(FailureKind.UNAUTHORIZED);
                    assertThat(e.getMessage()).doesNotContain("sk-wrong-key-0123456789", "sk-sim-secret-0123456789");
                });
        assertThat(sim.batches().submissions()).isEmpty();
    }

    OpenAiBatchApi openAi(Simulator sim) {
        return new OpenAiBatchApi(ProviderConfig.of("openai", sim.baseUrl(), null), http, FAST, BatchCost.REPORTED_ONLY);
    }

    @Test
    @DisplayName("crash window: the batch is created but the answer is a 500; submit fails retryably, find adopts the batch, one submission in all")
    void createdButFailedThenAdopted() throws Exception {
        Simulator sim = simulator(Map.of());
        sim.batches().configure(SimulatedBatches.Settings.fromProperties(Map.of("fusion.simulator.batch.create-failures", "1",
                "fusion.simulator.batch.turnaround-polls", "1")));
        OpenAiBatchApi api = openAi(sim);
        List<BatchLine> lines = lines(PANEL, 3);
        List<String> ids = lines.stream().map(BatchLine::customId).toList();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> api.submit(PANEL, lines, "run-1:panel:chunk-0"))
                .isInstanceOfSatisfying(BatchException.class, e -> assertThat(e.retryable()).isTrue());
        SubmittedBatch adopted = api.find(PANEL, "run-1:panel:chunk-0", ids).orElseThrow();
        pollToEnd(api, adopted);
        BatchResults results = api.results(adopted);

        assertThat(sim.batches().submissions()).hasSize(1);
        assertThat(adopted.batchId()).isEqualTo(sim.batches().submissions().get(0).batchId());
        assertThat(results.status()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(results.outcomes()).containsOnlyKeys(ids);
        assertThat(results.missing()).isEmpty();
    }

    @Test
    @DisplayName("find adopts the labelled batch from the simulator's second list page, and finds nothing for a label never sent")
    void findAcrossSimulatedPages() throws Exception {
        Simulator sim = simulator(Map.of());
        OpenAiBatchApi api = openAi(sim);
        SubmittedBatch mine = api.submit(PANEL, lines(PANEL, 2), "run-1:panel:chunk-0");
        for (int i = 0; i < 100; i++) api.submit(PANEL, lines(PANEL, 1), "run-1:panel:later-" + i);

        assertThat(api.find(PANEL, "run-1:panel:chunk-0", mine.customIds())).contains(mine);
        assertThat(api.find(PANEL, "run-2:never", List.of("x"))).isEmpty();
        assertThat(sim.batches().submissions()).hasSize(101);
    }

    @Test
    @DisplayName("GET /batches lists newest first, limit and after page through, metadata is kept as sent, results are left out; not a poll")
    void listEndpoint() throws Exception {
        Simulator sim = simulator(Map.of());
        OpenRouterBatchApi api = openRouter(sim);
        SubmittedBatch first = api.submit(PANEL, lines(PANEL, 1));
        SubmittedBatch second = api.submit(PANEL, lines(PANEL, 1));
        String created = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(sim.baseUrl() + "/batches"))
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString("""
                        {"endpoint": "/v1/chat/completions", "model": "%s", "metadata": {"job": "j1"},
                         "requests": [{"custom_id": "a", "body": {"messages": [{"role": "user", "content": "hi"}]}}]}""".formatted(PANEL))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        String third = JSON.readTree(created).path("id").asText();

        JsonNode page1 = get(sim, "/batches?limit=2");
        JsonNode page2 = get(sim, "/batches?limit=2&after=" + page1.path("last_id").asText());

        assertThat(page1.path("data")).extracting(b -> b.path("id").asText()).containsExactly(third, second.batchId());
        assertThat(page1.path("has_more").asBoolean()).isTrue();
        assertThat(page1.path("data").get(0).path("metadata").path("job").asText()).isEqualTo("j1");
        assertThat(page1.path("data").get(0).path("results").isNull()).isTrue();
        assertThat(page2.path("data")).extracting(b -> b.path("id").asText()).containsExactly(first.batchId());
        assertThat(page2.path("has_more").asBoolean()).isFalse();
        assertThat(api.poll(first.batchId()).status()).as("listing did not count as a poll").isEqualTo(BatchStatus.IN_PROGRESS);
    }

    JsonNode get(Simulator sim, String path) throws Exception {
        var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(sim.baseUrl() + path)).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
