package fusion.model.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.model.ChatCompletionBodies;
import fusion.model.ChatMessage;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.FailureKind;
import fusion.model.ProviderConfig;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** OpenRouter's batch API against a scripted server answering as its API reference shows. */
class OpenRouterBatchApiTest {
    static final String KEY = "sk-or-v1-batchbatchbatchbatch0123456789";
    static final String MODEL = "openai/gpt-5-mini";
    static final ObjectMapper JSON = new ObjectMapper();
    static final BatchRetry FAST = new BatchRetry(3, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(5));

    MockWebServer server;
    HttpClient http;
    ProviderConfig provider;
    OpenRouterBatchApi api;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        http = HttpClient.newHttpClient();
        provider = ProviderConfig.of("openrouter", server.url("/api/v1").toString(), KEY);
        api = new OpenRouterBatchApi(provider, http, FAST, BatchCost.REPORTED_ONLY);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static MockResponse json(int status, String body) {
        return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(body).build();
    }

    /** A 429 asking to try again at once, as OpenRouter words a rate limit. */
    static MockResponse rateLimited() {
        return new MockResponse.Builder().code(429).setHeader("Retry-After", "0")
                .body("{\"error\": {\"code\": 429, \"message\": \"Rate limit exceeded\"}}").build();
    }

    static ChatRequest ask(String prompt) {
        return ChatRequest.of(MODEL, List.of(ChatMessage.system("Be brief."), ChatMessage.user(prompt)));
    }

    static List<BatchLine> lines(String... ids) {
        List<BatchLine> lines = new ArrayList<>();
        for (String id : ids) lines.add(new BatchLine(id, ask("question " + id)));
        return lines;
    }

    RecordedRequest take() throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r).as("a request reached the server").isNotNull();
        return r;
    }

    static String batch(String status, int total, int completed, int failed, String results) {
        return """
                {"id": "batch_abc123", "object": "batch", "endpoint": "/v1/chat/completions", "model": "%s", "completion_window": "24h",
                 "status": "%s", "created_at": 1704067200, "finalized_at": null, "error": null, "provider": "OpenAI",
                 "request_counts": {"total": %d, "completed": %d, "failed": %d}, "results": %s, "usage": null}"""
                .formatted(MODEL, status, total, completed, failed, results);
    }

    static String answered(String customId, String content, String cost) {
        return """
                {"id": "res_%1$s", "custom_id": "%1$s", "error": null, "response": {"status_code": 200, "request_id": "req_%1$s",
                 "body": {"id": "gen-%1$s", "object": "chat.completion", "model": "%2$s",
                          "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "%3$s"}}],
                          "usage": {"prompt_tokens": 12, "completion_tokens": 30, "total_tokens": 42%4$s}}}}"""
                .formatted(customId, MODEL, content, cost == null ? "" : ", \"cost\": " + cost);
    }

    SubmittedBatch submitted(String... ids) {
        return new SubmittedBatch("openrouter", "batch_abc123", MODEL, List.of(ids));
    }

    @Nested
    @DisplayName("submit")
    class Submit {
        @Test
        @DisplayName("POST {baseUrl}/batches with endpoint and model serialised before requests; 202 validating → the batch id")
        void bodyOrderAndId() throws Exception {
            server.enqueue(json(202, batch("validating", 2, 0, 0, "[]")));

            SubmittedBatch sent = api.submit(MODEL, lines("r1:panel:0", "r2:panel:0"));

            assertThat(sent).isEqualTo(new SubmittedBatch("openrouter", "batch_abc123", MODEL, List.of("r1:panel:0", "r2:panel:0")));
            RecordedRequest request = take();
            assertThat(request.getMethod()).isEqualTo("POST");
            assertThat(request.getUrl().encodedPath()).isEqualTo("/api/v1/batches");
            assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
            JsonNode body = JSON.readTree(request.getBody().utf8());
            List<String> fields = new ArrayList<>();
            body.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).containsExactly("endpoint", "model", "completion_window", "requests");
            assertThat(body.path("endpoint").asText()).isEqualTo("/v1/chat/completions");
            assertThat(body.path("model").asText()).isEqualTo(MODEL);
            assertThat(body.path("requests")).hasSize(2);
            assertThat(body.path("requests").get(0).path("custom_id").asText()).isEqualTo("r1:panel:0");
        }

        @Test
        @DisplayName("each line's body is the synchronous call's body, minus web tools, which no batch runs")
        void lineBodyIsTheSyncBody() throws Exception {
            server.enqueue(json(202, batch("validating", 1, 0, 0, "[]")));
            ChatRequest request = ask("What is Kafka?").withTemperature(0.3).withMaxCompletionTokens(500);
            ProviderConfig withTools = new ProviderConfig("openrouter", provider.baseUrl(), KEY, null, Map.of(), List.of(), false, true, true);
            OpenRouterBatchApi toolsApi = new OpenRouterBatchApi(withTools, http, FAST, BatchCost.REPORTED_ONLY);

            toolsApi.submit(MODEL, List.of(new BatchLine("r1", request.withServerTools(List.of("web_search")))));

            JsonNode line = JSON.readTree(take().getBody().utf8()).path("requests").get(0).path("body");
            assertThat(line).isEqualTo(ChatCompletionBodies.request(request, withTools, JSON));
            assertThat(line.has("tools")).isFalse();
        }

        @Test
        @DisplayName("a label is not sent (OpenRouter's submit body documents no metadata), and find asks nothing and finds nothing")
        void labelNotSentFindEmpty() throws Exception {
            server.enqueue(json(202, batch("validating", 1, 0, 0, "[]")));

            api.submit(MODEL, lines("r1"), "run-7:chunk-0");

            List<String> fields = new ArrayList<>();
            JSON.readTree(take().getBody().utf8()).fieldNames().forEachRemaining(fields::add);
            assertThat(fields).containsExactly("endpoint", "model", "completion_window", "requests");
            assertThat(api.find(MODEL, "run-7:chunk-0", List.of("r1"))).isEmpty();
            assertThat(server.getRequestCount()).isEqualTo(1);
        }

        @Test
        @DisplayName("a 500 answer to a submission is not sent again (it may have been taken): retryable, one request only")
        void serverErrorNotResubmitted() {
            server.enqueue(json(500, "{\"error\": {\"code\": 500, \"message\": \"Internal Server Error\"}}"));
            server.enqueue(json(202, batch("validating", 1, 0, 0, "[]")));

            assertThatThrownBy(() -> api.submit(MODEL, lines("r1")))
                    .isInstanceOfSatisfying(BatchException.class, e -> {
                        assertThat(e.kind()).isEqualTo(FailureKind.SERVER_ERROR);
                        assertThat(e.retryable()).isTrue();
                    });
            assertThat(server.getRequestCount()).isEqualTo(1);
        }

        @Test
        @DisplayName("a 429 to a submission is sent again (nothing was taken) and then accepted")
        void rateLimitedSubmissionRetried() throws Exception {
            server.enqueue(rateLimited());
            server.enqueue(json(202, batch("validating", 1, 0, 0, "[]")));

            assertThat(api.submit(MODEL, lines("r1")).batchId()).isEqualTo("batch_abc123");
            assertThat(server.getRequestCount()).isEqualTo(2);
        }

        @Test
        @DisplayName("mixed models, repeated custom_ids and too many lines are refused before anything is sent")
        void refusedLocally() {
            List<BatchLine> mixed = List.of(new BatchLine("a", ask("x")), new BatchLine("b", ChatRequest.of("other/model", List.of(ChatMessage.user("y")))));
            assertThatThrownBy(() -> api.submit(MODEL, mixed)).hasMessageContaining("one model");
            assertThatThrownBy(() -> api.submit(MODEL, lines("a", "a"))).hasMessageContaining("custom_id a appears twice");
            List<BatchLine> many = new ArrayList<>();
            for (int i = 0; i <= 5_000; i++) many.add(new BatchLine("l" + i, ask("q")));
            assertThatThrownBy(() -> api.submit(MODEL, many)).hasMessageContaining("5000-request batch limit");
            assertThat(server.getRequestCount()).isZero();
        }
    }

    @Nested
    @DisplayName("poll and results")
    class PollAndResults {
        @Test
        @DisplayName("submit, poll in_progress, poll completed, results inline: each custom_id gets its content, usage and cost")
        void roundTrip() throws Exception {
            server.enqueue(json(202, batch("validating", 2, 0, 0, "[]")));
            server.enqueue(json(200, batch("in_progress", 2, 1, 0, "[]")));
            String results = "[" + answered("r1", "Kafka is a log.", "0.0004") + "," + answered("r2", "A broker.", "0.0002") + "]";
            server.enqueue(json(200, batch("completed", 2, 2, 0, results)));
            server.enqueue(json(200, batch("completed", 2, 2, 0, results)));

            SubmittedBatch sent = api.submit(MODEL, lines("r1", "r2"));
            assertThat(api.poll(sent.batchId())).isEqualTo(new BatchProgress("batch_abc123", BatchStatus.IN_PROGRESS, 2, 1, 0, null));
            BatchProgress done = api.poll(sent.batchId());
            assertThat(done.terminal()).isTrue();
            BatchResults got = api.results(sent);

            assertThat(got.missing()).isEmpty();
            assertThat(got.outcomes()).containsOnlyKeys("r1", "r2");
            ChatOutcome r1 = got.outcomes().get("r1");
            assertThat(r1.succeeded()).isTrue();
            assertThat(r1.model()).isEqualTo(MODEL);
            assertThat(r1.content()).isEqualTo("Kafka is a log.");
            assertThat(r1.usage().promptTokens()).isEqualTo(12);
            assertThat(r1.usage().completionTokens()).isEqualTo(30);
            assertThat(r1.usage().cost()).isEqualTo(0.0004);
            take();
            assertThat(take().getUrl().encodedPath()).isEqualTo("/api/v1/batches/batch_abc123");
        }

        @Test
        @DisplayName("no inline results → read page by page from /batches/{id}/results, following next_cursor until has_more is false")
        void paginated() throws Exception {
            server.enqueue(json(200, batch("completed", 3, 3, 0, "[]")));
            server.enqueue(json(200, """
                    {"object": "list", "data": [%s, %s], "has_more": true, "next_cursor": "djE6YmF0Y2g"}"""
                    .formatted(answered("r1", "one", null), answered("r2", "two", null))));
            server.enqueue(json(200, """
                    {"object": "list", "data": [%s], "has_more": false, "next_cursor": null}""".formatted(answered("r3", "three", null))));

            BatchResults got = api.results(submitted("r1", "r2", "r3"));

            assertThat(got.outcomes()).containsOnlyKeys("r1", "r2", "r3");
            assertThat(got.outcomes().get("r3").content()).isEqualTo("three");
            take();
            RecordedRequest first = take();
            assertThat(first.getUrl().encodedPath()).isEqualTo("/api/v1/batches/batch_abc123/results");
            assertThat(first.getUrl().queryParameter("cursor")).isNull();
            assertThat(first.getUrl().queryParameter("limit")).isEqualTo("1000");
            assertThat(take().getUrl().queryParameter("cursor")).isEqualTo("djE6YmF0Y2g");
        }

        @Test
        @DisplayName("a completed batch without some lines → those custom_ids listed as missing, never as answered")
        void missingLines() throws Exception {
            server.enqueue(json(200, batch("completed", 3, 2, 0, "[" + answered("r1", "one", null) + "," + answered("r3", "three", null) + "]")));
            server.enqueue(json(200, "{\"object\": \"list\", \"data\": [], \"has_more\": false, \"next_cursor\": null}"));

            BatchResults got = api.results(submitted("r1", "r2", "r3"));

            assertThat(got.outcomes()).containsOnlyKeys("r1", "r3");
            assertThat(got.missing()).containsExactly("r2");
        }

        @Test
        @DisplayName("an expired batch: status expired, the lines it finished delivered, the rest missing")
        void expired() throws Exception {
            String partial = "[" + answered("r1", "one", null) + "]";
            server.enqueue(json(200, batch("expired", 2, 1, 0, partial)));
            server.enqueue(json(200, batch("expired", 2, 1, 0, partial)));
            server.enqueue(json(200, "{\"object\": \"list\", \"data\": [" + answered("r1", "one", null) + "], \"has_more\": false, \"next_cursor\": null}"));

            assertThat(api.poll("batch_abc123").status()).isEqualTo(BatchStatus.EXPIRED);
            BatchResults got = api.results(submitted("r1", "r2"));

            assertThat(got.status()).isEqualTo(BatchStatus.EXPIRED);
            assertThat(got.outcomes()).containsOnlyKeys("r1");
            assertThat(got.missing()).containsExactly("r2");
        }

        @Test
        @DisplayName("a failed batch: status failed with the provider's error.message; every line missing")
        void failed() throws Exception {
            String failed = batch("failed", 2, 0, 0, "[]").replace("\"error\": null", "\"error\": {\"message\": \"model does not support batch\"}");
            server.enqueue(json(200, failed));
            server.enqueue(json(200, failed));

            BatchProgress progress = api.poll("batch_abc123");
            assertThat(progress.status()).isEqualTo(BatchStatus.FAILED);
            assertThat(progress.error()).isEqualTo("model does not support batch");
            BatchResults got = api.results(submitted("r1", "r2"));
            assertThat(got.outcomes()).isEmpty();
            assertThat(got.missing()).containsExactly("r1", "r2");
            assertThat(server.getRequestCount()).as("no results page is read for a failed batch").isEqualTo(2);
        }

        @Test
        @DisplayName("per-line failures are typed like a synchronous call's: error object, non-2xx line status, empty answer")
        void perLineErrorsTyped() throws Exception {
            String lines = "[" + """
                    {"id": "x1", "custom_id": "r1", "response": null, "error": {"code": "429", "message": "Rate limit exceeded", "type": "rate_limit"}}""" + ","
                    + """
                    {"id": "x2", "custom_id": "r2", "error": null, "response": {"status_code": 402, "request_id": "q",
                     "body": {"error": {"code": 402, "message": "Insufficient credits"}}}}""" + ","
                    + answered("r3", "", null) + "," + answered("r4", "fine", null) + "]";
            server.enqueue(json(200, batch("completed", 4, 1, 3, lines)));

            Map<String, ChatOutcome> got = api.results(submitted("r1", "r2", "r3", "r4")).outcomes();

            assertThat(got.get("r1").failure()).isEqualTo(FailureKind.RATE_LIMITED);
            assertThat(got.get("r1").errorMessage()).contains("Rate limit exceeded");
            assertThat(got.get("r2").failure()).isEqualTo(FailureKind.INSUFFICIENT_CREDITS);
            assertThat(got.get("r2").statusCode()).isEqualTo(402);
            assertThat(got.get("r3").failure()).isEqualTo(FailureKind.EMPTY_COMPLETION);
            assertThat(got.get("r4").succeeded()).isTrue();
        }

        @Test
        @DisplayName("without usage.cost, a line is priced from the price table times fusion.batch.discount")
        void pricedFromTable() throws Exception {
            BatchCost cost = BatchCost.fromProperties(Map.of("fusion.batch.discount", "0.5"),
                    (model, usage) -> (usage.promptTokens() + usage.completionTokens()) * 0.001);
            OpenRouterBatchApi priced = new OpenRouterBatchApi(provider, http, FAST, cost);
            server.enqueue(json(200, batch("completed", 2, 2, 0, "[" + answered("r1", "one", null) + "," + answered("r2", "two", "0.01") + "]")));

            Map<String, ChatOutcome> got = priced.results(submitted("r1", "r2")).outcomes();

            assertThat(got.get("r1").usage().cost()).isCloseTo(42 * 0.001 * 0.5, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(got.get("r2").usage().cost()).as("a reported cost is kept").isEqualTo(0.01);
            assertThat(cost.syncCost(got.get("r1"))).isCloseTo(0.042, org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Nested
    @DisplayName("errors")
    class Errors {
        @Test
        @DisplayName("429 on a poll is tried again after Retry-After, and the poll then answers")
        void rateLimitedPollRetried() throws Exception {
            server.enqueue(rateLimited());
            server.enqueue(json(200, batch("in_progress", 2, 0, 0, "[]")));

            assertThat(api.poll("batch_abc123").status()).isEqualTo(BatchStatus.IN_PROGRESS);
            assertThat(server.getRequestCount()).isEqualTo(2);
        }

        @Test
        @DisplayName("5xx on every try → a retryable BatchException, never a status of the batch")
        void persistentServerErrorIsRetryable() {
            for (int i = 0; i < 3; i++) server.enqueue(json(503, "{\"error\": {\"code\": 503, \"message\": \"overloaded\"}}"));

            assertThatThrownBy(() -> api.poll("batch_abc123")).isInstanceOfSatisfying(BatchException.class, e -> {
                assertThat(e.kind()).isEqualTo(FailureKind.OVERLOADED);
                assertThat(e.retryable()).isTrue();
            });
            assertThat(server.getRequestCount()).isEqualTo(3);
        }

        @Test
        @DisplayName("401 → unauthorized, not retried; the message says how to set the key and never holds it, even when echoed")
        void unauthorizedWithoutKey() {
            server.enqueue(json(401, "{\"error\": {\"code\": 401, \"message\": \"No auth credentials found for " + KEY + "\"}}"));

            assertThatThrownBy(() -> api.poll("batch_abc123")).isInstanceOfSatisfying(BatchException.class, e -> {
                assertThat(e.kind()).isEqualTo(FailureKind.UNAUTHORIZED);
                assertThat(e.retryable()).isFalse();
                assertThat(e.getMessage()).doesNotContain(KEY).contains("fusion.provider.openrouter.api-key");
            });
            assertThat(server.getRequestCount()).isEqualTo(1);
        }

        @Test
        @DisplayName("a key the provider echoes in a retried error never reaches a log line, even at DEBUG")
        void keyNeverLogged() throws Exception {
            ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("fusion.model.batch");
            ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs = new ch.qos.logback.core.read.ListAppender<>();
            logs.start();
            ch.qos.logback.classic.Level before = logger.getLevel();
            logger.setLevel(ch.qos.logback.classic.Level.DEBUG);
            logger.addAppender(logs);
            try {
                server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "0")
                        .body("{\"error\": {\"code\": 429, \"message\": \"slow down, key " + KEY + "\"}}").build());
                server.enqueue(json(200, batch("in_progress", 1, 0, 0, "[]")));

                api.poll("batch_abc123");
            } finally {
                logger.detachAppender(logs);
                logger.setLevel(before);
            }
            assertThat(logs.list).isNotEmpty().allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(KEY));
            assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("slow down, key ***"));
        }

        @Test
        @DisplayName("403 → forbidden, with the same hint")
        void forbidden() {
            server.enqueue(json(403, "{\"error\": {\"code\": 403, \"message\": \"Key may not use batches\"}}"));

            assertThatThrownBy(() -> api.poll("batch_abc123")).isInstanceOfSatisfying(BatchException.class, e -> {
                assertThat(e.kind()).isEqualTo(FailureKind.FORBIDDEN);
                assertThat(e.getMessage()).contains("Key may not use batches", "api-key");
            });
        }

        @Test
        @DisplayName("cancel: OpenRouter has no cancel endpoint, so cancel says no and sends nothing")
        void cancelUnsupported() throws Exception {
            assertThat(api.cancel("batch_abc123")).isFalse();
            assertThat(server.getRequestCount()).isZero();
        }
    }

    @Test
    @DisplayName("limits: OpenRouter 5,000, OpenAI 50,000 / 200 MB, Anthropic 100,000 / 256 MB; chunks respect count and bytes")
    void limitsAndChunks() {
        assertThat(api.limits().maxRequests()).isEqualTo(5_000);
        assertThat(BatchLimits.OPENAI).isEqualTo(new BatchLimits(50_000, 200L * 1024 * 1024));
        assertThat(BatchLimits.ANTHROPIC).isEqualTo(new BatchLimits(100_000, 256L * 1024 * 1024));
        BatchLimits small = new BatchLimits(3, 10);
        assertThat(small.chunks(List.of(1, 2, 3, 4, 5, 6, 7), n -> 1)).containsExactly(List.of(1, 2, 3), List.of(4, 5, 6), List.of(7));
        assertThat(small.chunks(List.of(4, 4, 4, 1), n -> n)).containsExactly(List.of(4, 4), List.of(4, 1));
        Iterator<Duration> waits = List.of(0, 1, 2, 10).stream().map(PollSchedule.OPENROUTER::delayBefore).iterator();
        assertThat(waits.next()).isEqualTo(Duration.ofSeconds(10));
        assertThat(waits.next()).isEqualTo(Duration.ofSeconds(20));
        assertThat(waits.next()).isEqualTo(Duration.ofSeconds(40));
        assertThat(waits.next()).as("backoff stops at the cap").isEqualTo(Duration.ofMinutes(5));
    }
}
