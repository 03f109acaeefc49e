package fusion.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.model.ChatMessage;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.FailureKind;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator over real HTTP, through the same client the pipeline uses. */
class SimulatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<AutoCloseable> open = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) c.close();
    }

    private OpenAiChatClient client(Map<String, String> settings, Duration timeout) {
        Map<String, String> all = new HashMap<>(Map.of("fusion.simulator.latency-ms", "0"));
        all.putAll(settings);
        Simulator sim = Simulator.start(SimulatorConfig.fromProperties(all));
        OpenAiChatClient client = new OpenAiChatClient(ProviderRoutes.single("sim", sim.baseUrl(), null), timeout);
        open.add(client);
        open.add(sim);
        simulator = sim;
        return client;
    }

    private Simulator simulator;

    private static ChatOutcome ask(OpenAiChatClient client, String model, String prompt) {
        return client.complete(ChatRequest.of(model, List.of(ChatMessage.user(prompt)))).join();
    }

    @Test
    @DisplayName("same model and prompt → same answer; another model → a different one that shares aspects")
    void deterministic() {
        OpenAiChatClient client = client(Map.of(), Duration.ofSeconds(5));

        ChatOutcome first = ask(client, "sim/alpha", "Should cities adopt congestion pricing?");
        ChatOutcome again = ask(client, "sim/alpha", "Should cities adopt congestion pricing?");
        ChatOutcome other = ask(client, "sim/beta", "Should cities adopt congestion pricing?");

        assertThat(first.content()).startsWith("(simulated answer from sim/alpha)").isEqualTo(again.content());
        assertThat(other.content()).startsWith("(simulated answer from sim/beta)");
        List<String> alphaAspects = first.content().lines().filter(l -> l.startsWith("- ")).map(l -> l.substring(0, l.indexOf(':'))).toList();
        assertThat(other.content()).isNotEqualTo(first.content().replace("sim/alpha", "sim/beta"));
        assertThat(other.content().lines().filter(l -> l.startsWith("- ")).map(l -> l.substring(0, l.indexOf(':'))).filter(alphaAspects::contains))
                .isNotEmpty();
        assertThat(first.usage().promptTokens()).isPositive();
        assertThat(first.usage().completionTokens()).isPositive();
        assertThat(first.usage().cost()).isPositive();
        assertThat(first.statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("always-402, always-429, always-500, garbage, empty, error in a 200 → the typed failures a provider would cause")
    void magicFailures() {
        OpenAiChatClient client = client(Map.of(), Duration.ofSeconds(5));

        ChatOutcome credits = ask(client, "sim/always-402", "q");
        ChatOutcome limited = ask(client, "sim/always-429", "q");
        ChatOutcome server = ask(client, "sim/always-500", "q");
        ChatOutcome garbage = ask(client, "sim/always-garbage", "q");
        ChatOutcome empty = ask(client, "sim/always-empty", "q");
        ChatOutcome inBody = ask(client, "sim/error-in-200", "q");

        assertThat(credits.failure()).isEqualTo(FailureKind.INSUFFICIENT_CREDITS);
        assertThat(credits.statusCode()).isEqualTo(402);
        assertThat(limited.failure()).isEqualTo(FailureKind.RATE_LIMITED);
        assertThat(limited.retryAfterMillis()).isEqualTo(1000L);
        assertThat(server.failure()).isEqualTo(FailureKind.SERVER_ERROR);
        assertThat(garbage.failure()).isEqualTo(FailureKind.INVALID_RESPONSE);
        assertThat(empty.failure()).isEqualTo(FailureKind.EMPTY_COMPLETION);
        assertThat(inBody.failure()).isEqualTo(FailureKind.UPSTREAM_ERROR);
    }

    @Test
    @DisplayName("always-timeout hangs past the client's timeout → timeout")
    void hangs() {
        OpenAiChatClient client = client(Map.of("fusion.simulator.timeout-hang-ms", "3000"), Duration.ofMillis(500));

        assertThat(ask(client, "sim/always-timeout", "q").failure()).isEqualTo(FailureKind.TIMEOUT);
    }

    @Test
    @DisplayName("failure.credits=1 → every call 402; max_completion_tokens under 16 → empty completion")
    void failureRates() {
        OpenAiChatClient client = client(Map.of("fusion.simulator.failure.credits", "1.0"), Duration.ofSeconds(5));

        assertThat(List.of("a", "b", "c")).allSatisfy(p -> assertThat(ask(client, "sim/alpha", p).failure())
                .isEqualTo(FailureKind.INSUFFICIENT_CREDITS));
        OpenAiChatClient healthy = client(Map.of(), Duration.ofSeconds(5));
        ChatOutcome starved = healthy.complete(ChatRequest.of("sim/alpha", List.of(ChatMessage.user("q"))).withMaxCompletionTokens(8)).join();
        assertThat(starved.failure()).isEqualTo(FailureKind.EMPTY_COMPLETION);
    }

    /** Sends the same call until it succeeds (at most 30 times) and returns each attempt's failure wire name, "ok" for the success. */
    private static List<String> untilAnswered(OpenAiChatClient client, String model, String prompt) {
        List<String> fates = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ChatOutcome outcome = ask(client, model, prompt);
            fates.add(outcome.succeeded() ? "ok" : outcome.failure().wireName());
            if (outcome.succeeded()) break;
        }
        return fates;
    }

    @Test
    @DisplayName("faults are drawn per attempt: a retry of a faulted call can succeed, and the same seed gives the same fates in the same order")
    void faultsPerAttempt() {
        Map<String, String> faults = Map.of("fusion.simulator.failure.server-error", "0.3", "fusion.simulator.failure.rate-limited", "0.2");
        List<List<String>> first = new ArrayList<>();
        OpenAiChatClient one = client(faults, Duration.ofSeconds(5));
        for (int i = 0; i < 40; i++) first.add(untilAnswered(one, "sim/alpha", "question " + i));
        List<List<String>> again = new ArrayList<>();
        OpenAiChatClient two = client(faults, Duration.ofSeconds(5));
        for (int i = 0; i < 40; i++) again.add(untilAnswered(two, "sim/alpha", "question " + i));

        assertThat(first).allSatisfy(fates -> assertThat(fates).endsWith("ok"));
        assertThat(first).as("some calls met a fault and then succeeded on a later attempt").anySatisfy(fates -> assertThat(fates).hasSizeGreaterThan(1));
        assertThat(first.stream().flatMap(List::stream)).contains("server_error", "rate_limited");
        assertThat(again).isEqualTo(first);
        // once answered, an identical call starts again at attempt 1: it meets the very first fate again
        List<String> repeated = untilAnswered(two, "sim/alpha", "question 0");
        assertThat(repeated).isEqualTo(first.get(0));
    }

    @Test
    @DisplayName("require-key → 401 without the right Bearer key (the key never echoed), an answer with it")
    void requireKey() {
        Map<String, String> settings = Map.of("fusion.simulator.require-key", "sk-sim-secret-42");
        OpenAiChatClient keyless = client(settings, Duration.ofSeconds(5));
        OpenAiChatClient wrong = new OpenAiChatClient(ProviderRoutes.single("sim", simulator.baseUrl(), "sk-wrong"), Duration.ofSeconds(5));
        OpenAiChatClient right = new OpenAiChatClient(ProviderRoutes.single("sim", simulator.baseUrl(), "sk-sim-secret-42"), Duration.ofSeconds(5));
        open.add(wrong);
        open.add(right);

        ChatOutcome none = ask(keyless, "sim/alpha", "q");
        ChatOutcome bad = ask(wrong, "sim/alpha", "q");

        assertThat(none.failure()).isEqualTo(FailureKind.UNAUTHORIZED);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(bad.failure()).isEqualTo(FailureKind.UNAUTHORIZED);
        assertThat(none.errorMessage() + bad.errorMessage()).doesNotContain("sk-sim-secret-42");
        assertThat(ask(right, "sim/alpha", "q").succeeded()).isTrue();
        assertThat(SimulatorConfig.fromProperties(settings).toString()).doesNotContain("sk-sim-secret-42");
    }

    @Test
    @DisplayName("latency is honoured, and 200 concurrent calls wait together rather than in turn")
    void latencyWithoutBlockingThreads() {
        OpenAiChatClient client = client(Map.of("fusion.simulator.latency-ms", "300"), Duration.ofSeconds(10));
        long start = System.nanoTime();
        assertThat(ask(client, "sim/alpha", "timed").succeeded()).isTrue();
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(280);

        long batch = System.nanoTime();
        List<CompletableFuture<ChatOutcome>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) calls.add(client.complete(ChatRequest.of("sim/alpha", List.of(ChatMessage.user("q" + i)))));
        calls.forEach(CompletableFuture::join);

        assertThat(calls).allSatisfy(c -> assertThat(c.join().succeeded()).isTrue());
        // Served one at a time, 200 calls of 300 ms would take a minute.
        assertThat((System.nanoTime() - batch) / 1_000_000).isLessThan(10_000);
    }

    @Test
    @DisplayName("a judge prompt → analysis JSON built from the labelled responses (SimulatedAnalysisTest checks each field)")
    void judge() throws Exception {
        OpenAiChatClient client = client(Map.of(), Duration.ofSeconds(5));
        String a = ask(client, "sim/alpha", "Is remote work better for productivity?").content();
        String b = ask(client, "sim/beta", "Is remote work better for productivity?").content();
        String prompt = "# Question\nIs remote work better for productivity?\n\n# Panel responses\n\n## Response A\n" + a
                + "\n\n## Response B\n" + b + "\n\n# Output\nReturn JSON.";

        JsonNode analysis = JSON.readTree(ask(client, "sim/judge", prompt).content());
        String prose = ask(client, "sim/prose-judge", prompt).content();
        JsonNode misshapen = JSON.readTree(ask(client, "sim/misshapen-judge", prompt).content());

        assertThat(analysis.fieldNames()).toIterable()
                .containsExactly("consensus", "contradictions", "partial_coverage", "unique_insights", "blind_spots");
        assertThat(analysis.get("consensus").size() + analysis.get("contradictions").size() + analysis.get("partial_coverage").size()
                + analysis.get("unique_insights").size()).as("every point of the answers is reported somewhere").isPositive();
        analysis.get("contradictions").forEach(c -> c.get("stances").forEach(s -> assertThat(s.get("model").asText()).isIn("Response A", "Response B")));
        assertThat(analysis.get("blind_spots")).isNotEmpty();
        analysis.get("unique_insights").forEach(u -> assertThat(u.get("model").asText()).isIn("Response A", "Response B"));
        assertThat(prose).doesNotContain("{");
        assertThat(misshapen.has("consensus")).isFalse();
    }

    @Test
    @DisplayName("a synthesis prompt (# Analysis) → a final answer marked as simulated")
    void synthesis() {
        OpenAiChatClient client = client(Map.of(), Duration.ofSeconds(5));

        String answer = ask(client, "sim/writer", "# Question\nIs nuclear worth it?\n\n# Analysis\n- consensus\n").content();

        assertThat(answer).startsWith("(simulated final answer)").contains("nuclear");
    }

    @Test
    @DisplayName("a grader prompt (# Gold answer, # Answer to grade) → a score: the share of the gold answer's words the answer has")
    void grader() throws Exception {
        OpenAiChatClient client = client(Map.of(), Duration.ofSeconds(5));

        JsonNode half = JSON.readTree(ask(client, "sim/grader", "# Gold answer\nParis is the capital\n\n# Answer to grade\nParis, capital city\n").content());
        JsonNode none = JSON.readTree(ask(client, "sim/grader", "# Gold answer\nParis\n\n# Answer to grade\nLyon\n").content());

        assertThat(half.get("score").asDouble()).isEqualTo(0.5);
        assertThat(half.get("reason").asText()).contains("2 of the gold answer's 4 words");
        assertThat(none.get("score").asDouble()).isZero();
    }

    @Test
    @DisplayName("request-log → one JSON line per call, with the model and a stable key")
    void requestLog() throws Exception {
        Path log = dir.resolve("calls.jsonl");
        OpenAiChatClient client = client(Map.of("fusion.simulator.request-log", log.toString()), Duration.ofSeconds(5));

        ask(client, "sim/alpha", "one");
        ask(client, "sim/alpha", "one");
        ask(client, "sim/beta", "two");

        List<JsonNode> lines = new ArrayList<>();
        for (String l : Files.readAllLines(log)) lines.add(JSON.readTree(l));
        assertThat(lines).extracting(l -> l.get("model").asText()).containsExactly("sim/alpha", "sim/alpha", "sim/beta");
        assertThat(lines.get(0).get("key")).isEqualTo(lines.get(1).get("key")).isNotEqualTo(lines.get(2).get("key"));
        assertThat(simulator.callCount()).isEqualTo(3);
    }

    @Test
    @DisplayName("a bad setting → an error naming the key and what it must be")
    void badSettings() {
        assertThatThrownBy(() -> SimulatorConfig.fromProperties(Map.of("fusion.simulator.latency-ms", "abc")))
                .hasMessageContaining("fusion.simulator.latency-ms").hasMessageContaining("whole number");
        assertThatThrownBy(() -> SimulatorConfig.fromProperties(Map.of("fusion.simulator.failure.timeout", "1.5")))
                .hasMessageContaining("fusion.simulator.failure.timeout").hasMessageContaining("between 0 and 1");
    }
}
