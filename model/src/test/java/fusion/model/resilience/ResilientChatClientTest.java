package fusion.model.resilience;

import static fusion.model.resilience.ScriptedProvider.error;
import static fusion.model.resilience.ScriptedProvider.json;
import static fusion.model.resilience.ScriptedProvider.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import fusion.model.ChatClient;
import fusion.model.ChatMessage;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.FailureKind;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderConfig;
import fusion.model.ProviderRoutes;
import fusion.model.resilience.ScriptedProvider.Arrival;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The resilient client around the real OpenAiChatClient, against a scripted HTTP server. */
class ResilientChatClientTest {
    private static final String KEY = "sk-or-v1-0123456789abcdef0123456789abcdef";
    private static final String PROMPT = "What is Kafka?";
    private static final String MODEL = "openai/gpt-5-mini";
    private static final String OTHER_MODEL = "~anthropic/claude-haiku-4.5";
    private static final String PROVIDER = "openrouter";
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    /** Fast retries for tests: backoff of at most a few ms, so only Retry-After makes a retry wait. */
    private static final RetryPolicy QUICK_RETRIES = new RetryPolicy(4, 5, 20, 60_000);

    private MockWebServer server;
    private final ScriptedProvider provider = new ScriptedProvider();
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final List<ChatClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.setDispatcher(provider);
        server.start();
    }

    @AfterEach
    void stop() {
        provider.releaseRequests();
        clients.forEach(ChatClient::close);
        server.close();
    }

    private ProviderRoutes routes() {
        return ProviderRoutes.single(PROVIDER, server.url("/api/v1").toString(), KEY);
    }

    private ResilientChatClient client(ResilienceConfig config) {
        ResilientChatClient client = ResilientChatClient.wrapping(new OpenAiChatClient(routes(), CALL_TIMEOUT), config, registry);
        clients.add(client);
        return client;
    }

    private ResilientChatClient client(ResilienceConfig config, java.util.function.DoubleSupplier random) {
        ResilientChatClient client = new ResilientChatClient(new OpenAiChatClient(routes(), CALL_TIMEOUT), routes(), config, registry, random);
        clients.add(client);
        return client;
    }

    /** Waits (at most 10 s) for a model's circuit gauge to show {@code state}: 0 closed, 1 half-open, 2 open. */
    private void awaitCircuitState(String model, int state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gauge(CallMetrics.CIRCUIT_STATE, CallMetrics.REQUEST_MODEL, model) != state) {
            if (System.nanoTime() > deadline) throw new AssertionError("circuit of " + model + " never reached state " + state);
            Thread.sleep(5);
        }
    }

    private ResilientChatClient client(RetryPolicy retry) {
        return client(ResilienceConfig.defaults().withRetry(retry));
    }

    private ResilientChatClient client(Map<String, String> properties) {
        ResilientChatClient client = ResilientChatClient.fromProperties(new OpenAiChatClient(routes(), CALL_TIMEOUT), properties, registry);
        clients.add(client);
        return client;
    }

    private static ChatRequest ask(String model) {
        return ChatRequest.of(model, List.of(ChatMessage.system("Be brief."), ChatMessage.user(PROMPT)));
    }

    /** get() would throw if the future completed exceptionally, which it never may. */
    private static ChatOutcome await(CompletableFuture<ChatOutcome> future) throws Exception {
        return future.get(20, TimeUnit.SECONDS);
    }

    private static ChatOutcome call(ChatClient client, String model) throws Exception {
        return await(client.complete(ask(model)));
    }

    private static long millisBetween(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    private double gauge(String name, String tagKey, String tagValue) {
        return registry.get(name).tag(tagKey, tagValue).gauge().value();
    }

    @Nested
    @DisplayName("retries")
    class Retries {
        @Test
        @DisplayName("500 then 200 → one answer after 2 attempts")
        void serverErrorThenAnswer() throws Exception {
            provider.then(error(500, "Internal Server Error")).then(ok());

            ChatOutcome outcome = call(client(QUICK_RETRIES), MODEL);

            assertThat(outcome.succeeded()).isTrue();
            assertThat(outcome.content()).isEqualTo("Kafka is a distributed event log.");
            assertThat(outcome.attempts()).isEqualTo(2);
            assertThat(outcome.retriesByReason()).containsExactly(Map.entry("server_error", 1));
            assertThat(outcome.httpRequests()).isEqualTo(2);
            assertThat(outcome.circuitWaitMs()).isZero();
            assertThat(provider.requests()).isEqualTo(2);
        }

        @Test
        @DisplayName("429 with Retry-After 1 → the retry waits at least 1 s")
        void retryAfterSeconds() throws Exception {
            provider.then(new MockResponse.Builder().code(429).setHeader("Content-Type", "application/json")
                    .setHeader("Retry-After", "1").body("{\"error\":{\"code\":429,\"message\":\"Rate limit exceeded\"}}").build());

            ChatOutcome outcome = call(client(QUICK_RETRIES), MODEL);

            assertThat(outcome.succeeded()).isTrue();
            assertThat(outcome.attempts()).isEqualTo(2);
            List<Arrival> a = provider.arrivals();
            assertThat(millisBetween(a.get(0).answeredNanos(), a.get(1).arrivedNanos())).isGreaterThanOrEqualTo(1_000);
        }

        @Test
        @DisplayName("503 with retry-after-ms 150 → the retry waits at least 150 ms")
        void retryAfterMillis() throws Exception {
            provider.then(new MockResponse.Builder().code(503).setHeader("retry-after-ms", "150").body("overloaded").build());

            ChatOutcome outcome = call(client(QUICK_RETRIES), MODEL);

            assertThat(outcome.succeeded()).isTrue();
            List<Arrival> a = provider.arrivals();
            assertThat(millisBetween(a.get(0).answeredNanos(), a.get(1).arrivedNanos())).isGreaterThanOrEqualTo(150);
        }

        @Test
        @DisplayName("402 is never retried")
        void insufficientCredits() throws Exception {
            provider.then(error(402, "Insufficient credits"));

            ChatOutcome outcome = call(client(QUICK_RETRIES), MODEL);

            assertThat(outcome.failure()).isEqualTo(FailureKind.INSUFFICIENT_CREDITS);
            assertThat(outcome.attempts()).isEqualTo(1);
            assertThat(provider.requests()).isEqualTo(1);
        }

        @Test
        @DisplayName("quota 429 is never retried")
        void quotaExceeded() throws Exception {
            provider.then(json(429, """
                    {"error": {"message": "You exceeded your current quota", "type": "insufficient_quota", "code": "insufficient_quota"}}"""));

            ChatOutcome outcome = call(client(QUICK_RETRIES), MODEL);

            assertThat(outcome.failure()).isEqualTo(FailureKind.QUOTA_EXCEEDED);
            assertThat(outcome.attempts()).isEqualTo(1);
            assertThat(provider.requests()).isEqualTo(1);
        }

        @Test
        @DisplayName("400 is never retried")
        void badRequest() throws Exception {
            provider.then(error(400, "messages must not be empty"));

            ChatOutcome outcome = call(client(QUICK_RETRIES), MODEL);

            assertThat(outcome.failure()).isEqualTo(FailureKind.BAD_REQUEST);
            assertThat(outcome.attempts()).isEqualTo(1);
            assertThat(provider.requests()).isEqualTo(1);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(ints = {401, 403, 404})
        @DisplayName("401, 403 and 404 are never retried")
        void otherClientErrors(int status) throws Exception {
            provider.then(error(status, "no"));

            ChatOutcome outcome = call(client(QUICK_RETRIES), MODEL);

            assertThat(outcome.failure().retryable()).isFalse();
            assertThat(outcome.attempts()).isEqualTo(1);
            assertThat(provider.requests()).isEqualTo(1);
        }

        @Test
        @DisplayName("an empty completion is never retried")
        void emptyCompletion() throws Exception {
            provider.then(json(200, """
                    {"choices": [{"finish_reason": "length", "message": {"role": "assistant", "content": ""}}],
                     "usage": {"prompt_tokens": 10, "completion_tokens": 512, "completion_tokens_details": {"reasoning_tokens": 512}}}"""));

            ChatOutcome outcome = call(client(QUICK_RETRIES), MODEL);

            assertThat(outcome.failure()).isEqualTo(FailureKind.EMPTY_COMPLETION);
            assertThat(outcome.attempts()).isEqualTo(1);
            assertThat(provider.requests()).isEqualTo(1);
        }

        @Test
        @DisplayName("retries stop at max attempts with the last failure")
        void maxAttempts() throws Exception {
            provider.then(error(500, "first")).then(error(502, "second")).then(error(529, "third: overloaded")).then(ok());

            ChatOutcome outcome = call(client(new RetryPolicy(3, 5, 20, 60_000)), MODEL);

            assertThat(outcome.failure()).isEqualTo(FailureKind.OVERLOADED);
            assertThat(outcome.statusCode()).isEqualTo(529);
            assertThat(outcome.errorMessage()).contains("third: overloaded");
            assertThat(outcome.attempts()).isEqualTo(3);
            assertThat(outcome.retriesByReason()).as("500 and 502 are both server_error").containsExactly(Map.entry("server_error", 2));
            assertThat(provider.requests()).isEqualTo(3);
        }

        @Test
        @DisplayName("retries are counted by reason: 429, 500, 503 then 200 → rate_limited 1, server_error 1, overloaded 1")
        void retriesByReason() throws Exception {
            provider.then(new MockResponse.Builder().code(429).setHeader("retry-after-ms", "10").body("slow down").build())
                    .then(error(500, "oops")).then(error(503, "busy")).then(ok());

            ChatOutcome outcome = call(client(QUICK_RETRIES), MODEL);

            assertThat(outcome.succeeded()).isTrue();
            assertThat(outcome.retriesByReason()).containsExactly(
                    Map.entry("overloaded", 1), Map.entry("rate_limited", 1), Map.entry("server_error", 1));
            assertThat(outcome.retries()).isEqualTo(3);
            assertThat(outcome.attempts()).isEqualTo(4);
        }

        @Test
        @DisplayName("no retry starts past the call's patience: a Retry-After beyond it ends the call")
        void budget() throws Exception {
            provider.then(new MockResponse.Builder().code(503).setHeader("Retry-After", "5").body("busy").build());

            ChatOutcome outcome = call(client(new RetryPolicy(4, 5, 20, 1_000)), MODEL);

            assertThat(outcome.failure()).isEqualTo(FailureKind.OVERLOADED);
            assertThat(outcome.attempts()).isEqualTo(1);
            assertThat(outcome.retryAfterMillis()).isEqualTo(5_000L);
            assertThat(provider.requests()).isEqualTo(1);
        }

        @Test
        @DisplayName("a connection dropped on the re-send too (network error) is retried after a backoff")
        void networkError() throws Exception {
            MockResponse dropped = new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket(true, true, true)).build();
            provider.then(dropped).then(dropped).then(ok());

            ChatOutcome outcome = call(client(QUICK_RETRIES), MODEL);

            assertThat(outcome.succeeded()).isTrue();
            assertThat(outcome.attempts()).isEqualTo(2);
            assertThat(provider.requests()).as("the first attempt was sent twice, on two connections").isEqualTo(3);
            assertThat(outcome.httpRequests()).as("the re-send on a fresh connection is a request, not an attempt").isEqualTo(3);
            assertThat(outcome.retriesByReason()).containsExactly(Map.entry("network_error", 1));
        }

        @Test
        @DisplayName("usage and cost are summed over all attempts; latency covers the whole call")
        void usageSummed() throws Exception {
            provider.then(json(200, """
                    {"choices": [{"finish_reason": "error", "error": {"code": 502, "message": "upstream died"},
                                  "message": {"role": "assistant", "content": ""}}],
                     "usage": {"prompt_tokens": 21, "completion_tokens": 5, "cost": 0.0001}}"""))
                    .then(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                            .body(ScriptedProvider.COMPLETION).headersDelay(100, TimeUnit.MILLISECONDS).build());

            ChatOutcome outcome = call(client(QUICK_RETRIES), MODEL);

            assertThat(outcome.succeeded()).isTrue();
            assertThat(outcome.attempts()).isEqualTo(2);
            assertThat(outcome.usage().promptTokens()).isEqualTo(42);
            assertThat(outcome.usage().completionTokens()).isEqualTo(93);
            assertThat(outcome.usage().cost()).isCloseTo(0.0002795, offset(1e-12));
            assertThat(outcome.latencyMs()).isGreaterThanOrEqualTo(100);
        }

        @Test
        @DisplayName("a wrapped client that throws still yields an outcome, never an exceptional future")
        void brokenWrappedClient() throws Exception {
            ChatClient throwing = request -> {
                throw new IllegalStateException("boom " + KEY);
            };
            ResilientChatClient client = new ResilientChatClient(throwing, routes(), ResilienceConfig.defaults().withRetry(QUICK_RETRIES), registry);
            clients.add(client);

            ChatOutcome outcome = call(client, MODEL);

            assertThat(outcome.failure()).isEqualTo(FailureKind.INVALID_RESPONSE);
            assertThat(outcome.errorMessage()).contains("IllegalStateException").doesNotContain(KEY);
            assertThat(outcome.attempts()).isEqualTo(QUICK_RETRIES.maxAttempts());
        }
    }

    @Nested
    @DisplayName("provider throttle")
    class Throttle {
        @Test
        @DisplayName("in-flight limit: with limit 2, at most 2 requests reach the server at once; the rest wait in the queue")
        void inFlightLimit() throws Exception {
            ResilientChatClient client = client(Map.of("fusion.provider.openrouter.max-in-flight", "2"));
            provider.holdRequests();

            List<CompletableFuture<ChatOutcome>> calls = new ArrayList<>();
            for (int i = 0; i < 5; i++) calls.add(client.complete(ask(MODEL)));
            provider.awaitArrivals(2);

            assertThat(calls).noneMatch(CompletableFuture::isDone); // complete() returned at once, nothing answered yet
            assertThat(gauge(CallMetrics.IN_FLIGHT, CallMetrics.PROVIDER_NAME, PROVIDER)).isEqualTo(2);
            assertThat(gauge(CallMetrics.QUEUED, CallMetrics.PROVIDER_NAME, PROVIDER)).isEqualTo(3);
            Thread.sleep(100); // had the limit leaked, more requests would arrive now
            assertThat(provider.requests()).isEqualTo(2);

            provider.releaseRequests();
            for (CompletableFuture<ChatOutcome> c : calls) assertThat(await(c).succeeded()).isTrue();
            assertThat(provider.requests()).isEqualTo(5);
            assertThat(provider.mostAtServerAtOnce()).isEqualTo(2);
            assertThat(gauge(CallMetrics.IN_FLIGHT, CallMetrics.PROVIDER_NAME, PROVIDER)).isZero();
            assertThat(gauge(CallMetrics.QUEUED, CallMetrics.PROVIDER_NAME, PROVIDER)).isZero();
        }

        @Test
        @DisplayName("per-model limit (fusion.model.<id>.max-in-flight, id with ~ / .): a second call to the model waits, another model's call goes ahead")
        void perModelLimit() throws Exception {
            ResilientChatClient client = client(Map.of("fusion.model." + OTHER_MODEL + ".max-in-flight", "1"));
            provider.holdRequests();

            CompletableFuture<ChatOutcome> first = client.complete(ask(OTHER_MODEL));
            CompletableFuture<ChatOutcome> second = client.complete(ask(OTHER_MODEL));
            CompletableFuture<ChatOutcome> other = client.complete(ask(MODEL));
            provider.awaitArrivals(2);
            Thread.sleep(100);

            assertThat(provider.arrivals()).extracting(Arrival::model).containsExactlyInAnyOrder(OTHER_MODEL, MODEL);
            assertThat(gauge(CallMetrics.QUEUED, CallMetrics.PROVIDER_NAME, PROVIDER)).isEqualTo(1);
            provider.releaseRequests();
            assertThat(List.of(await(first), await(second), await(other))).allMatch(ChatOutcome::succeeded);
            assertThat(provider.requests()).isEqualTo(3);
        }

        @Test
        @DisplayName("a 429 pauses the whole provider: a call to another model of that provider waits too")
        void rateLimitPausesProvider() throws Exception {
            ResilientChatClient client = client(RetryPolicy.none());
            provider.then(new MockResponse.Builder().code(429).setHeader("Content-Type", "application/json")
                    .setHeader("retry-after-ms", "300").body("{\"error\":{\"code\":429,\"message\":\"Rate limit exceeded: limit_rpm\"}}").build());

            ChatOutcome limited = call(client, MODEL);
            ChatOutcome other = call(client, OTHER_MODEL);

            assertThat(limited.failure()).isEqualTo(FailureKind.RATE_LIMITED);
            assertThat(other.succeeded()).isTrue();
            List<Arrival> a = provider.arrivals();
            assertThat(a.get(1).model()).isEqualTo(OTHER_MODEL);
            assertThat(millisBetween(a.get(0).answeredNanos(), a.get(1).arrivedNanos())).isGreaterThanOrEqualTo(300);
        }

        @Test
        @DisplayName("a paused provider does not hold another provider's calls")
        void otherProviderNotPaused() throws Exception {
            try (MockWebServer local = new MockWebServer()) {
                ScriptedProvider localProvider = new ScriptedProvider();
                local.setDispatcher(localProvider);
                local.start();
                ProviderRoutes routes = new ProviderRoutes(List.of(
                        ProviderConfig.of(PROVIDER, server.url("/api/v1").toString(), KEY),
                        new ProviderConfig("local", URI.create(local.url("/v1").toString()), null, null, Map.of(), List.of("ollama/"), true, false, false)),
                        PROVIDER);
                ResilientChatClient client = new ResilientChatClient(new OpenAiChatClient(routes, CALL_TIMEOUT), routes,
                        ResilienceConfig.defaults().withRetry(RetryPolicy.none()), registry);
                clients.add(client);
                provider.then(new MockResponse.Builder().code(429).setHeader("Retry-After", "30").body("slow down").build());

                assertThat(call(client, MODEL).failure()).isEqualTo(FailureKind.RATE_LIMITED);
                CompletableFuture<ChatOutcome> paused = client.complete(ask(OTHER_MODEL));
                ChatOutcome local1 = call(client, "ollama/llama3");

                assertThat(local1.succeeded()).isTrue();
                assertThat(paused).isNotDone();
                assertThat(gauge(CallMetrics.QUEUED, CallMetrics.PROVIDER_NAME, PROVIDER)).isEqualTo(1);
                assertThat(provider.requests()).isEqualTo(1);
            }
        }

        @Test
        @DisplayName("x-ratelimit-remaining-requests 0 pauses the provider until reset")
        void remainingRequestsZero() throws Exception {
            ResilientChatClient client = client(RetryPolicy.none());
            provider.then(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                    .setHeader("x-ratelimit-remaining-requests", "0").setHeader("x-ratelimit-reset-requests", "300ms")
                    .setHeader("x-ratelimit-remaining-tokens", "149000").setHeader("x-ratelimit-reset-tokens", "6m0s")
                    .body(ScriptedProvider.COMPLETION).build());

            ChatOutcome first = call(client, MODEL);
            ChatOutcome second = call(client, OTHER_MODEL);

            assertThat(first.succeeded()).isTrue();
            assertThat(first.rateLimit().remainingRequests()).isZero();
            assertThat(first.rateLimit().resetRequestsMillis()).isEqualTo(300L);
            assertThat(second.succeeded()).isTrue();
            List<Arrival> a = provider.arrivals();
            assertThat(millisBetween(a.get(0).answeredNanos(), a.get(1).arrivedNanos())).isGreaterThanOrEqualTo(300);
        }

        @Test
        @DisplayName("x-ratelimit-remaining-tokens 0 with an epoch-seconds reset (OpenRouter style) pauses the provider too")
        void remainingTokensZeroEpochReset() throws Exception {
            ResilientChatClient client = client(RetryPolicy.none());
            long resetEpochSeconds = System.currentTimeMillis() / 1000 + 2; // at least 1 s away
            provider.then(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                    .setHeader("x-ratelimit-remaining-tokens", "0").setHeader("x-ratelimit-reset-tokens", Long.toString(resetEpochSeconds))
                    .body(ScriptedProvider.COMPLETION).build());

            ChatOutcome first = call(client, MODEL);
            CompletableFuture<ChatOutcome> second = client.complete(ask(MODEL));

            assertThat(first.rateLimit().tokensExhausted()).isTrue();
            assertThat(first.rateLimit().resetTokensMillis()).isBetween(1L, 2_000L);
            assertThat(await(second).succeeded()).isTrue();
            List<Arrival> a = provider.arrivals();
            assertThat(millisBetween(a.get(0).answeredNanos(), a.get(1).arrivedNanos())).isGreaterThanOrEqualTo(first.rateLimit().resetTokensMillis() - 50);
        }

        @Test
        @DisplayName("requests-per-minute limit spaces calls: 600/min lets 10 start at once, then one per 100 ms")
        void requestsPerMinute() throws Exception {
            ResilientChatClient client = client(Map.of("fusion.provider.openrouter.requests-per-minute", "600"));
            long started = System.nanoTime();

            List<CompletableFuture<ChatOutcome>> calls = new ArrayList<>();
            for (int i = 0; i < 13; i++) calls.add(client.complete(ask(MODEL)));
            for (CompletableFuture<ChatOutcome> c : calls) assertThat(await(c).succeeded()).isTrue();

            List<Arrival> a = provider.arrivals();
            assertThat(a).hasSize(13);
            // the 11th, 12th and 13th each wait for one more request's share: 100 ms apiece
            assertThat(millisBetween(started, a.get(12).arrivedNanos())).isGreaterThanOrEqualTo(290);
        }

        @Test
        @DisplayName("tokens-per-minute limit holds a call until its estimated tokens (prompt chars/4 + max_completion_tokens) are there")
        void tokensPerMinute() throws Exception {
            // 600k/min = 10k a second: two 5k-token calls go at once, the third waits about half a second
            ResilientChatClient client = client(Map.of("fusion.provider.openrouter.tokens-per-minute", "600000"));
            provider.holdRequests(); // no answer yet, so no usage can refund the estimates meanwhile
            long started = System.nanoTime();

            List<CompletableFuture<ChatOutcome>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) calls.add(client.complete(ask(MODEL).withMaxCompletionTokens(5_000)));
            provider.awaitArrivals(3);
            provider.releaseRequests();
            for (CompletableFuture<ChatOutcome> c : calls) assertThat(await(c).succeeded()).isTrue();

            assertThat(millisBetween(started, provider.arrivals().get(2).arrivedNanos())).isGreaterThanOrEqualTo(450);
        }

        @Test
        @DisplayName("cancelling a queued call withdraws it: it never reaches the server")
        void cancelQueued() throws Exception {
            ResilientChatClient client = client(Map.of("fusion.provider.openrouter.max-in-flight", "1"));
            provider.holdRequests();

            CompletableFuture<ChatOutcome> running = client.complete(ask(MODEL));
            CompletableFuture<ChatOutcome> queued = client.complete(ask(MODEL));
            provider.awaitArrivals(1);
            queued.cancel(false);

            assertThat(gauge(CallMetrics.QUEUED, CallMetrics.PROVIDER_NAME, PROVIDER)).isZero();
            provider.releaseRequests();
            assertThat(await(running).succeeded()).isTrue();
            assertThat(provider.requests()).isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("circuit breaker")
    class Circuit {
        private ResilienceConfig circuitAfterFour(long openMillis) {
            return ResilienceConfig.defaults().withRetry(RetryPolicy.none()).withCircuit(new CircuitPolicy(50, 4, openMillis, 1));
        }

        @Test
        @DisplayName("repeated 500s open the circuit → circuit_open fails fast without reaching the server, saying when it is tried again")
        void opensOnServerErrors() throws Exception {
            ResilientChatClient client = client(circuitAfterFour(60_000));
            for (int i = 0; i < 4; i++) provider.then(error(500, "Internal Server Error"));

            for (int i = 0; i < 4; i++) assertThat(call(client, MODEL).failure()).isEqualTo(FailureKind.SERVER_ERROR);
            ChatOutcome failedFast = call(client, MODEL);

            assertThat(failedFast.failure()).isEqualTo(FailureKind.CIRCUIT_OPEN);
            assertThat(failedFast.attempts()).isZero();
            assertThat(failedFast.errorMessage()).contains(MODEL).contains("tried again in")
                    .contains("failure rate 100%, last: server_error 500");
            assertThat(provider.requests()).isEqualTo(4);
            assertThat(gauge(CallMetrics.CIRCUIT_STATE, CallMetrics.REQUEST_MODEL, MODEL)).isEqualTo(2);
        }

        @Test
        @DisplayName("circuits are per model: another model of the same provider still gets through")
        void perModel() throws Exception {
            ResilientChatClient client = client(circuitAfterFour(60_000));
            for (int i = 0; i < 4; i++) provider.then(error(503, "overloaded"));
            for (int i = 0; i < 4; i++) call(client, MODEL);

            assertThat(call(client, MODEL).failure()).isEqualTo(FailureKind.CIRCUIT_OPEN);
            assertThat(call(client, OTHER_MODEL).succeeded()).isTrue();
        }

        @Test
        @DisplayName("client errors (400/402/404, a 403 for flagged input) do not count as model failures: the circuit stays closed")
        void clientErrorsDoNotCount() throws Exception {
            ResilientChatClient client = client(circuitAfterFour(60_000));
            for (int status : new int[] {400, 402, 404, 400, 402}) provider.then(error(status, "client error"));
            provider.then(error(403, "Your input was flagged by moderation"));

            for (int i = 0; i < 6; i++) assertThat(call(client, MODEL).failure().retryable()).isFalse();
            ChatOutcome next = call(client, MODEL);

            assertThat(next.succeeded()).isTrue();
            assertThat(provider.requests()).isEqualTo(7);
            assertThat(gauge(CallMetrics.CIRCUIT_STATE, CallMetrics.REQUEST_MODEL, MODEL)).isZero();
        }

        @Test
        @DisplayName("after open-ms a half-open probe that succeeds closes the circuit again")
        void halfOpenProbeRecovers() throws Exception {
            ResilientChatClient client = client(circuitAfterFour(200));
            for (int i = 0; i < 4; i++) provider.then(error(500, "Internal Server Error"));
            for (int i = 0; i < 4; i++) call(client, MODEL);
            assertThat(call(client, MODEL).failure()).isEqualTo(FailureKind.CIRCUIT_OPEN);

            Thread.sleep(250);
            ChatOutcome probe = call(client, MODEL);

            assertThat(probe.succeeded()).isTrue();
            assertThat(gauge(CallMetrics.CIRCUIT_STATE, CallMetrics.REQUEST_MODEL, MODEL)).isZero();
            assertThat(call(client, MODEL).succeeded()).isTrue();
        }

        @Test
        @DisplayName("a retry that meets an open circuit it cannot outwait within patience ends with its last real failure, not circuit_open")
        void retriesStopAtOpenCircuit() throws Exception {
            ResilientChatClient client = client(ResilienceConfig.defaults()
                    .withRetry(new RetryPolicy(10, 1, 5, 30_000)).withCircuit(new CircuitPolicy(50, 3, 60_000, 1)));
            for (int i = 0; i < 10; i++) provider.then(error(500, "Internal Server Error"));

            ChatOutcome outcome = call(client, MODEL);

            assertThat(outcome.failure()).isEqualTo(FailureKind.SERVER_ERROR);
            assertThat(outcome.statusCode()).isEqualTo(500);
            assertThat(outcome.attempts()).isEqualTo(3);
            assertThat(outcome.retriesByReason()).containsExactly(Map.entry("server_error", 2));
            assertThat(outcome.errorMessage()).contains("Internal Server Error").contains("fusion.calls.patience-ms");
            assertThat(provider.requests()).isEqualTo(3);
        }

        @Test
        @DisplayName("circuit opens → calls wait, unsent, and succeed after the half-open probe does")
        void callsWaitForHalfOpen() throws Exception {
            // every first retry waits 199 ms, so all four failures have opened the circuit before any retry is due
            ResilientChatClient client = client(ResilienceConfig.defaults()
                    .withRetry(new RetryPolicy(100, 200, 200, 60_000)).withCircuit(new CircuitPolicy(50, 4, 300, 1)), () -> 0.995);
            for (int i = 0; i < 4; i++) provider.then(error(503, "overloaded"));
            provider.holdRequests();

            List<CompletableFuture<ChatOutcome>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) calls.add(client.complete(ask(MODEL)));
            provider.awaitArrivals(4);
            provider.releaseRequests();
            awaitCircuitState(MODEL, 2);
            for (int i = 0; i < 6; i++) calls.add(client.complete(ask(MODEL)));

            List<ChatOutcome> outcomes = new ArrayList<>();
            for (CompletableFuture<ChatOutcome> c : calls) outcomes.add(await(c));

            assertThat(outcomes).allMatch(ChatOutcome::succeeded);
            assertThat(outcomes).as("every call waited for the circuit").allMatch(o -> o.circuitWaitMs() > 0);
            assertThat(outcomes.subList(0, 4)).allSatisfy(o -> assertThat(o.retriesByReason()).containsExactly(Map.entry("overloaded", 1)));
            // 4 failures, then 1 probe, then the 9 calls still waiting: no call was sent while the circuit was open
            assertThat(provider.requests()).isEqualTo(14);
            assertThat(gauge(CallMetrics.CIRCUIT_STATE, CallMetrics.REQUEST_MODEL, MODEL)).isZero();
        }

        @Test
        @DisplayName("a failed half-open probe opens the circuit again; the waiting calls go when a later probe succeeds")
        void failedProbeKeepsWaiting() throws Exception {
            ResilientChatClient client = client(ResilienceConfig.defaults()
                    .withRetry(new RetryPolicy(100, 1, 5, 60_000)).withCircuit(new CircuitPolicy(50, 2, 200, 1)));
            for (int i = 0; i < 3; i++) provider.then(error(500, "down"));

            CompletableFuture<ChatOutcome> first = client.complete(ask(MODEL));
            CompletableFuture<ChatOutcome> second = client.complete(ask(MODEL));

            assertThat(await(first).succeeded()).isTrue();
            assertThat(await(second).succeeded()).isTrue();
            // 2 failures open it, the first probe fails (500), the second probe succeeds, then the other call goes
            assertThat(provider.requests()).isEqualTo(5);
            assertThat(await(first).retries() + await(second).retries()).isEqualTo(3);
        }

        @Test
        @DisplayName("patience exhausted while a circuit stays open → the call's last real failure (503 overloaded), never circuit_open")
        void patienceExhausted() throws Exception {
            // open-ms 200 and patience 1 s: the circuit half-opens several times, every probe fails
            ResilientChatClient client = client(ResilienceConfig.defaults()
                    .withRetry(new RetryPolicy(100, 1, 5, 1_000)).withCircuit(new CircuitPolicy(50, 2, 200, 1)));
            for (int i = 0; i < 100; i++) provider.then(error(503, "Service Unavailable"));

            ChatOutcome outcome = call(client, MODEL);

            assertThat(outcome.failure()).isEqualTo(FailureKind.OVERLOADED);
            assertThat(outcome.statusCode()).isEqualTo(503);
            assertThat(outcome.errorMessage()).contains("Service Unavailable");
            assertThat(outcome.attempts()).isGreaterThan(2).isEqualTo(provider.requests());
            assertThat(outcome.retriesByReason()).containsOnlyKeys("overloaded");
            assertThat(outcome.retries()).isEqualTo(outcome.attempts() - 1);
            assertThat(outcome.circuitWaitMs()).isPositive();
        }
    }

    @Nested
    @DisplayName("a provider that refuses its key")
    class Refusal {
        private final List<ProviderRefusal> heard = new java.util.concurrent.CopyOnWriteArrayList<>();

        /** The provider's key comes from OPENROUTER_API_KEY, as it does for a user. */
        private ResilientChatClient refusingClient(Map<String, String> properties) {
            Map<String, String> all = new java.util.HashMap<>(properties);
            all.put("fusion.provider.openrouter.base-url", server.url("/api/v1").toString());
            ProviderRoutes routes = ProviderRoutes.fromProperties(all, Map.of("OPENROUTER_API_KEY", KEY)::get);
            ResilientChatClient client = new ResilientChatClient(new OpenAiChatClient(routes, CALL_TIMEOUT), routes,
                    ResilienceConfig.fromProperties(all).withRetry(QUICK_RETRIES), registry);
            clients.add(client);
            client.onProviderRefused(heard::add);
            return client;
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(ints = {401, 403})
        @DisplayName("all-401 (or 403) provider → the listener hears once, naming the provider, status and variable; later calls are not sent")
        void refusedOnce(int status) throws Exception {
            ResilientChatClient client = refusingClient(Map.of());
            for (int i = 0; i < 20; i++) provider.then(error(status, "Invalid API key " + KEY));
            provider.holdRequests();

            List<CompletableFuture<ChatOutcome>> firstCalls = new ArrayList<>();
            for (int i = 0; i < 3; i++) firstCalls.add(client.complete(ask(i == 0 ? MODEL : OTHER_MODEL)));
            provider.awaitArrivals(3);
            provider.releaseRequests();
            List<ChatOutcome> outcomes = new ArrayList<>();
            for (CompletableFuture<ChatOutcome> c : firstCalls) outcomes.add(await(c));
            for (int i = 0; i < 5; i++) outcomes.add(call(client, i % 2 == 0 ? MODEL : OTHER_MODEL));

            FailureKind kind = status == 401 ? FailureKind.UNAUTHORIZED : FailureKind.FORBIDDEN;
            assertThat(outcomes).allSatisfy(o -> assertThat(o.failure()).isEqualTo(kind));
            assertThat(outcomes.subList(3, 8)).allSatisfy(o -> {
                assertThat(o.attempts()).isZero();
                assertThat(o.errorMessage()).startsWith("not sent: ").contains("OPENROUTER_API_KEY");
            });
            assertThat(provider.requests()).as("only the calls already at the server were sent").isEqualTo(3);
            assertThat(heard).singleElement().satisfies(r -> {
                assertThat(r.provider()).isEqualTo(PROVIDER);
                assertThat(r.statusCode()).isEqualTo(status);
                assertThat(r.failure()).isEqualTo(kind);
                assertThat(r.keySetting()).isEqualTo("OPENROUTER_API_KEY");
                assertThat(r.describe()).contains("provider openrouter", "HTTP " + status, "set OPENROUTER_API_KEY");
            });
            assertThat(kind.rerunnable()).isTrue();
            List<String> texts = new ArrayList<>(outcomes.stream().map(ChatOutcome::errorMessage).toList());
            texts.add(heard.get(0).describe());
            texts.add(heard.get(0).toString());
            assertThat(texts).noneMatch(t -> t.contains(KEY) || t.contains("0123456789abcdef"));
        }

        @Test
        @DisplayName("a call queued behind the in-flight limit when the 401 comes is not sent either")
        void queuedCallNotSent() throws Exception {
            ResilientChatClient client = refusingClient(Map.of("fusion.provider.openrouter.max-in-flight", "1"));
            provider.then(error(401, "User not found."));
            provider.holdRequests();

            CompletableFuture<ChatOutcome> sent = client.complete(ask(MODEL));
            CompletableFuture<ChatOutcome> queued = client.complete(ask(MODEL));
            provider.awaitArrivals(1);
            provider.releaseRequests();

            assertThat(await(sent).failure()).isEqualTo(FailureKind.UNAUTHORIZED);
            assertThat(await(queued).failure()).isEqualTo(FailureKind.UNAUTHORIZED);
            assertThat(await(queued).attempts()).isZero();
            assertThat(provider.requests()).isEqualTo(1);
            assertThat(heard).singleElement().satisfies(r -> assertThat(r.describe()).contains("User not found."));
        }

        @Test
        @DisplayName("a 403 for flagged input refuses that request only: the provider's other calls still go")
        void moderation403() throws Exception {
            ResilientChatClient client = refusingClient(Map.of());
            provider.then(error(403, "Your chosen model requires moderation and your input was flagged"));

            assertThat(call(client, MODEL).failure()).isEqualTo(FailureKind.FORBIDDEN);
            assertThat(call(client, MODEL).succeeded()).isTrue();
            assertThat(heard).isEmpty();
        }

        @Test
        @DisplayName("a listener added after the refusal hears of it at once")
        void lateListener() throws Exception {
            ResilientChatClient client = refusingClient(Map.of());
            provider.then(error(401, "no"));
            call(client, MODEL);

            List<ProviderRefusal> late = new ArrayList<>();
            client.onProviderRefused(late::add);

            assertThat(late).singleElement().extracting(ProviderRefusal::statusCode).isEqualTo(401);
            assertThat(client.refusedProviders()).containsOnlyKeys(PROVIDER);
        }
    }

    @Nested
    @DisplayName("metrics")
    class Metrics {
        @Test
        @DisplayName("metrics record duration, tokens, cost and retries by reason")
        void recorded() throws Exception {
            provider.then(error(500, "Internal Server Error"));
            ChatOutcome outcome = call(client(QUICK_RETRIES), MODEL);
            assertThat(outcome.succeeded()).isTrue();

            List<Timer> durations = new ArrayList<>(registry.get(CallMetrics.OPERATION_DURATION)
                    .tag(CallMetrics.REQUEST_MODEL, MODEL).tag(CallMetrics.PROVIDER_NAME, PROVIDER).tag(CallMetrics.OPERATION_NAME, "chat")
                    .timers());
            assertThat(durations).hasSize(2);
            assertThat(durations).filteredOn(t -> "server_error".equals(t.getId().getTag(CallMetrics.ERROR_TYPE)))
                    .singleElement().satisfies(t -> assertThat(t.count()).isEqualTo(1));
            assertThat(durations).filteredOn(t -> t.getId().getTag(CallMetrics.ERROR_TYPE) == null)
                    .singleElement().satisfies(t -> assertThat(t.count()).isEqualTo(1));

            assertThat(registry.get(CallMetrics.TOKEN_USAGE).tag(CallMetrics.TOKEN_TYPE, "input").summary().totalAmount()).isEqualTo(21);
            assertThat(registry.get(CallMetrics.TOKEN_USAGE).tag(CallMetrics.TOKEN_TYPE, "output").summary().totalAmount()).isEqualTo(88);
            assertThat(registry.get(CallMetrics.COST).tag(CallMetrics.REQUEST_MODEL, MODEL).counter().count()).isEqualTo(0.0001795);
            assertThat(registry.get(CallMetrics.RETRIES).tag(CallMetrics.REASON, "server_error").tag(CallMetrics.REQUEST_MODEL, MODEL)
                    .counter().count()).isEqualTo(1);
            assertThat(registry.get(CallMetrics.CIRCUIT_STATE).tag(CallMetrics.REQUEST_MODEL, MODEL).gauge().value()).isZero();
        }

        @Test
        @DisplayName("no meter tag carries a prompt or a key")
        void noSecretsInTags() throws Exception {
            provider.then(error(500, "echo: " + PROMPT + " " + KEY));
            call(client(QUICK_RETRIES), MODEL);

            List<String> values = new ArrayList<>();
            for (Meter m : registry.getMeters()) for (Tag t : m.getId().getTags()) values.add(t.getValue());
            assertThat(values).isNotEmpty().noneMatch(v -> v.contains(PROMPT) || v.contains(KEY) || v.contains("sk-or"));
        }
    }

    @Nested
    @DisplayName("close")
    class Close {
        @Test
        @DisplayName("close() ends queued calls as cancelled, later calls too, and removes the gauges")
        void cancelsQueued() throws Exception {
            ResilientChatClient client = client(Map.of("fusion.provider.openrouter.max-in-flight", "1"));
            provider.holdRequests();
            CompletableFuture<ChatOutcome> running = client.complete(ask(MODEL));
            CompletableFuture<ChatOutcome> queued = client.complete(ask(MODEL));
            provider.awaitArrivals(1);

            client.close();

            assertThat(await(queued).failure()).isEqualTo(FailureKind.CANCELLED);
            assertThat(await(queued).attempts()).isZero();
            assertThat(await(running).failure()).isEqualTo(FailureKind.CANCELLED);
            assertThat(call(client, MODEL).failure()).isEqualTo(FailureKind.CANCELLED);
            assertThat(registry.find(CallMetrics.IN_FLIGHT).gauges()).isEmpty();
            assertThat(registry.find(CallMetrics.QUEUED).gauges()).isEmpty();
        }

        @Test
        @DisplayName("close() also ends a call that is waiting to retry")
        void cancelsBackoff() throws Exception {
            ResilientChatClient client = client(new RetryPolicy(4, 5, 20, 60_000));
            provider.then(new MockResponse.Builder().code(503).setHeader("Retry-After", "30").body("busy").build());

            CompletableFuture<ChatOutcome> call = client.complete(ask(MODEL));
            provider.awaitArrivals(1);
            Thread.sleep(100); // let the 503 come back and the 30 s retry be scheduled
            client.close();

            ChatOutcome outcome = await(call);
            assertThat(outcome.failure()).isEqualTo(FailureKind.CANCELLED);
            assertThat(outcome.attempts()).isEqualTo(1);
        }
    }
}
