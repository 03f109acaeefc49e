package fusion.model;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/** The client against a real scripted HTTP server; bodies follow OpenRouter's documented shapes. */
class OpenAiChatClientTest {
    private static final String KEY = "sk-or-v1-0123456789abcdef0123456789abcdef";
    private static final String MODEL = "openai/gpt-5-mini";
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private MockWebServer server;
    private OpenAiChatClient client;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        client = new OpenAiChatClient(ProviderRoutes.single("openrouter", baseUrl(server), KEY), TIMEOUT);
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private static String baseUrl(MockWebServer s) {
        return s.url("/api/v1").toString();
    }

    private static ChatRequest ask(String model) {
        return ChatRequest.of(model, List.of(ChatMessage.system("Be brief."), ChatMessage.user("What is Kafka?")));
    }

    /** Waits for the outcome; get() would throw if the future completed exceptionally, which it never may. */
    private static ChatOutcome call(ChatClient c, ChatRequest request) throws Exception {
        return c.complete(request).get(10, TimeUnit.SECONDS);
    }

    private ChatOutcome call(ChatRequest request) throws Exception {
        return call(client, request);
    }

    private static MockResponse json(int status, String body) {
        return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(body).build();
    }

    private static String openRouterError(int code, String message) {
        return """
                {"error": {"code": %d, "message": "%s", "metadata": {"provider_name": null}}}""".formatted(code, message);
    }

    private RecordedRequest takeRequest() throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r).as("request reached the server").isNotNull();
        return r;
    }

    private JsonNode sentBody() throws Exception {
        return JSON.readTree(takeRequest().getBody().utf8());
    }

    static final String COMPLETION = """
            {
              "id": "gen-1747311111-AbCdEfGh",
              "provider": "OpenAI",
              "model": "openai/gpt-5-mini",
              "object": "chat.completion",
              "created": 1747311111,
              "choices": [{
                "logprobs": null,
                "finish_reason": "stop",
                "native_finish_reason": "completed",
                "index": 0,
                "message": {
                  "role": "assistant",
                  "content": "Kafka is a distributed event log.",
                  "refusal": null,
                  "reasoning": "The user wants one sentence.",
                  "reasoning_details": [{"type": "reasoning.summary", "summary": "The user wants one sentence."}]
                }
              }],
              "usage": {
                "prompt_tokens": 21,
                "completion_tokens": 88,
                "total_tokens": 109,
                "cost": 0.0001795,
                "is_byok": false,
                "prompt_tokens_details": {"cached_tokens": 0},
                "cost_details": {"upstream_inference_cost": null},
                "completion_tokens_details": {"reasoning_tokens": 64}
              }
            }""";

    @Nested
    @DisplayName("answers")
    class Answers {
        @Test
        @DisplayName("200 with content, usage, cost and reasoning → successful outcome carrying all of them")
        void successWithUsageCostAndReasoning() throws Exception {
            server.enqueue(json(200, COMPLETION));

            ChatOutcome outcome = call(ask(MODEL));

            assertThat(outcome.succeeded()).isTrue();
            assertThat(outcome.failure()).isNull();
            assertThat(outcome.errorMessage()).isNull();
            assertThat(outcome.model()).isEqualTo(MODEL);
            assertThat(outcome.content()).isEqualTo("Kafka is a distributed event log.");
            assertThat(outcome.reasoning()).isEqualTo("The user wants one sentence.");
            assertThat(outcome.usage()).isEqualTo(new Usage(21, 88, 64, 0.0001795));
            assertThat(outcome.finishReason()).isEqualTo("stop");
            assertThat(outcome.statusCode()).isEqualTo(200);
            assertThat(outcome.attempts()).isEqualTo(1);
            assertThat(outcome.retryAfterMillis()).isNull();
            assertThat(outcome.sources()).isEmpty();
        }

        @Test
        @DisplayName("message.reasoning_content (DeepSeek, vLLM) → reasoning")
        void reasoningContent() throws Exception {
            server.enqueue(json(200, """
                    {"id": "chatcmpl-1", "object": "chat.completion", "model": "deepseek-r1",
                     "choices": [{"index": 0, "finish_reason": "stop",
                                  "message": {"role": "assistant", "content": "42", "reasoning_content": "6 times 7."}}],
                     "usage": {"prompt_tokens": 5, "completion_tokens": 9}}"""));

            ChatOutcome outcome = call(ask("deepseek/deepseek-r1"));

            assertThat(outcome.content()).isEqualTo("42");
            assertThat(outcome.reasoning()).isEqualTo("6 times 7.");
        }

        @Test
        @DisplayName("usage without cost → cost null, token counts kept")
        void usageWithoutCost() throws Exception {
            server.enqueue(json(200, """
                    {"choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}],
                     "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}"""));

            assertThat(call(ask(MODEL)).usage()).isEqualTo(new Usage(3, 1, 0, null));
        }

        @Test
        @DisplayName("content as an array of parts → the text parts concatenated, other parts skipped")
        void contentParts() throws Exception {
            server.enqueue(json(200, """
                    {"choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": [
                        {"type": "text", "text": "Kafka is "},
                        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                        {"type": "text", "text": "a log."}]}}]}"""));

            assertThat(call(ask(MODEL)).content()).isEqualTo("Kafka is a log.");
        }

        @Test
        @DisplayName("url_citation annotations → sources, in order, without duplicates")
        void sourcesFromAnnotations() throws Exception {
            server.enqueue(json(200, """
                    {"choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant",
                      "content": "See the docs.",
                      "annotations": [
                        {"type": "url_citation", "url_citation": {"url": "https://kafka.apache.org/documentation/", "title": "Docs", "start_index": 0, "end_index": 3}},
                        {"type": "url_citation", "url_citation": {"url": "https://en.wikipedia.org/wiki/Apache_Kafka", "title": "Wiki"}},
                        {"type": "url_citation", "url_citation": {"url": "https://kafka.apache.org/documentation/", "title": "Docs"}}]}}]}"""));

            assertThat(call(ask(MODEL)).sources())
                    .containsExactly("https://kafka.apache.org/documentation/", "https://en.wikipedia.org/wiki/Apache_Kafka");
        }

        @Test
        @DisplayName("latencyMs covers the wait for the provider")
        void latencyMeasured() throws Exception {
            server.enqueue(new MockResponse.Builder().code(200).body(COMPLETION).headersDelay(200, TimeUnit.MILLISECONDS).build());

            assertThat(call(ask(MODEL)).latencyMs()).isGreaterThanOrEqualTo(200);
        }
    }

    @Nested
    @DisplayName("empty and unreadable answers")
    class EmptyAndUnreadable {
        @Test
        @DisplayName("empty content → empty_completion naming finish_reason and reasoning tokens, usage kept")
        void emptyContent() throws Exception {
            server.enqueue(json(200, """
                    {"choices": [{"index": 0, "finish_reason": "length",
                                  "message": {"role": "assistant", "content": "", "reasoning": "Let me think... and think..."}}],
                     "usage": {"prompt_tokens": 30, "completion_tokens": 1024, "cost": 0.002,
                               "completion_tokens_details": {"reasoning_tokens": 1024}}}"""));

            ChatOutcome outcome = call(ask(MODEL));

            assertThat(outcome.failure()).isEqualTo(FailureKind.EMPTY_COMPLETION);
            assertThat(outcome.failure().retryable()).isFalse();
            assertThat(outcome.content()).isNull();
            assertThat(outcome.errorMessage()).contains("finish_reason=length").contains("reasoning tokens=1024");
            assertThat(outcome.usage()).isEqualTo(new Usage(30, 1024, 1024, 0.002));
            assertThat(outcome.finishReason()).isEqualTo("length");
            assertThat(outcome.reasoning()).isEqualTo("Let me think... and think...");
            assertThat(outcome.statusCode()).isEqualTo(200);
        }

        @Test
        @DisplayName("null or blank content → empty_completion")
        void nullAndBlankContent() throws Exception {
            server.enqueue(json(200, """
                    {"choices": [{"index": 0, "finish_reason": "content_filter", "message": {"role": "assistant", "content": null}}]}"""));
            server.enqueue(json(200, """
                    {"choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "  \\n "}}]}"""));

            ChatOutcome filtered = call(ask(MODEL));
            ChatOutcome blank = call(ask(MODEL));

            assertThat(filtered.failure()).isEqualTo(FailureKind.EMPTY_COMPLETION);
            assertThat(filtered.errorMessage()).contains("finish_reason=content_filter");
            assertThat(blank.failure()).isEqualTo(FailureKind.EMPTY_COMPLETION);
        }

        @Test
        @DisplayName("garbage 200 body → invalid_response, retryable")
        void garbageBody() throws Exception {
            server.enqueue(new MockResponse.Builder().code(200).body("<html><body>Bad gateway</body></html>").build());

            ChatOutcome outcome = call(ask(MODEL));

            assertThat(outcome.failure()).isEqualTo(FailureKind.INVALID_RESPONSE);
            assertThat(outcome.failure().retryable()).isTrue();
            assertThat(outcome.statusCode()).isEqualTo(200);
            assertThat(outcome.errorMessage()).contains("not JSON");
        }

        @Test
        @DisplayName("truncated JSON, an empty body, or JSON without choices → invalid_response")
        void notACompletion() throws Exception {
            server.enqueue(json(200, COMPLETION.substring(0, COMPLETION.length() / 2)));
            server.enqueue(json(200, ""));
            server.enqueue(json(200, "{\"id\": \"gen-1\", \"choices\": []}"));

            assertThat(call(ask(MODEL)).failure()).isEqualTo(FailureKind.INVALID_RESPONSE);
            assertThat(call(ask(MODEL)).failure()).isEqualTo(FailureKind.INVALID_RESPONSE);
            ChatOutcome noChoices = call(ask(MODEL));
            assertThat(noChoices.failure()).isEqualTo(FailureKind.INVALID_RESPONSE);
            assertThat(noChoices.errorMessage()).contains("no choices");
        }
    }

    @Nested
    @DisplayName("HTTP errors")
    class HttpErrors {
        @Test
        @DisplayName("402 → insufficient_credits, not retried, with the provider's message")
        void insufficientCredits() throws Exception {
            server.enqueue(json(402, openRouterError(402,
                    "This request requires more credits, or fewer max_tokens. You requested up to 4096 tokens, but can only afford 1234.")));

            ChatOutcome outcome = call(ask(MODEL));

            assertThat(outcome.failure()).isEqualTo(FailureKind.INSUFFICIENT_CREDITS);
            assertThat(outcome.failure().retryable()).isFalse();
            assertThat(outcome.statusCode()).isEqualTo(402);
            assertThat(outcome.errorMessage()).startsWith("This request requires more credits");
            assertThat(outcome.content()).isNull();
            assertThat(outcome.attempts()).isEqualTo(1);
        }

        @Test
        @DisplayName("429 with Retry-After seconds → rate_limited, retryable, retryAfterMillis")
        void rateLimitedWithRetryAfter() throws Exception {
            server.enqueue(new MockResponse.Builder(json(429, openRouterError(429, "Rate limit exceeded: limit_rpm/openai/gpt-5-mini")))
                    .setHeader("Retry-After", "7").build());

            ChatOutcome outcome = call(ask(MODEL));

            assertThat(outcome.failure()).isEqualTo(FailureKind.RATE_LIMITED);
            assertThat(outcome.failure().retryable()).isTrue();
            assertThat(outcome.retryAfterMillis()).isEqualTo(7000L);
            assertThat(outcome.statusCode()).isEqualTo(429);
        }

        @Test
        @DisplayName("429 with Retry-After as an HTTP-date → retryAfterMillis until that date")
        void retryAfterHttpDate() throws Exception {
            String inOneMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
            server.enqueue(new MockResponse.Builder(json(429, openRouterError(429, "Rate limit exceeded")))
                    .setHeader("Retry-After", inOneMinute).build());

            ChatOutcome outcome = call(ask(MODEL));

            assertThat(outcome.failure()).isEqualTo(FailureKind.RATE_LIMITED);
            assertThat(outcome.retryAfterMillis()).isBetween(55_000L, 60_000L);
        }

        @Test
        @DisplayName("429 insufficient_quota (OpenAI) → quota_exceeded, not retried")
        void openAiInsufficientQuota() throws Exception {
            server.enqueue(json(429, """
                    {"error": {"message": "You exceeded your current quota, please check your plan and billing details.",
                               "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}}"""));

            ChatOutcome outcome = call(ask(MODEL));

            assertThat(outcome.failure()).isEqualTo(FailureKind.QUOTA_EXCEEDED);
            assertThat(outcome.failure().retryable()).isFalse();
            assertThat(outcome.errorMessage()).contains("exceeded your current quota");
        }

        @Test
        @DisplayName("429 whose message says the quota is exhausted → quota_exceeded")
        void quotaMessage() throws Exception {
            server.enqueue(json(429, openRouterError(429, "Daily quota exhausted for this key")));

            assertThat(call(ask(MODEL)).failure()).isEqualTo(FailureKind.QUOTA_EXCEEDED);
        }

        @Test
        @DisplayName("429 mentioning a quota but sending Retry-After → rate_limited (the limit lifts soon)")
        void quotaMessageWithRetryAfter() throws Exception {
            server.enqueue(new MockResponse.Builder(json(429, openRouterError(429,
                    "Quota exceeded for metric: generate_content_free_tier_requests, limit: 10 per minute")))
                    .setHeader("Retry-After", "20").build());

            ChatOutcome outcome = call(ask(MODEL));

            assertThat(outcome.failure()).isEqualTo(FailureKind.RATE_LIMITED);
            assertThat(outcome.retryAfterMillis()).isEqualTo(20_000L);
        }

        @Test
        @DisplayName("500 → server_error, retryable")
        void serverError() throws Exception {
            server.enqueue(json(500, openRouterError(500, "Internal Server Error")));

            ChatOutcome outcome = call(ask(MODEL));

            assertThat(outcome.failure()).isEqualTo(FailureKind.SERVER_ERROR);
            assertThat(outcome.failure().retryable()).isTrue();
            assertThat(outcome.statusCode()).isEqualTo(500);
            assertThat(outcome.errorMessage()).isEqualTo("Internal Server Error");
        }

        @Test
        @DisplayName("529 → overloaded, retryable, Retry-After kept")
        void overloaded529() throws Exception {
            server.enqueue(new MockResponse.Builder(json(529, """
                    {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"""))
                    .setHeader("Retry-After", "2").build());

            ChatOutcome outcome = call(ask(MODEL));

            assertThat(outcome.failure()).isEqualTo(FailureKind.OVERLOADED);
            assertThat(outcome.failure().retryable()).isTrue();
            assertThat(outcome.statusCode()).isEqualTo(529);
            assertThat(outcome.errorMessage()).isEqualTo("Overloaded");
            assertThat(outcome.retryAfterMillis()).isEqualTo(2000L);
        }

        @ParameterizedTest(name = "{0} → {1}")
        @DisplayName("every status maps to its failure kind")
        @CsvSource({
                "400, BAD_REQUEST", "401, UNAUTHORIZED", "402, INSUFFICIENT_CREDITS", "403, FORBIDDEN", "404, NOT_FOUND",
                "408, REQUEST_TIMEOUT", "409, CONFLICT", "429, RATE_LIMITED", "500, SERVER_ERROR", "502, SERVER_ERROR",
                "503, OVERLOADED", "529, OVERLOADED", "418, HTTP_ERROR", "302, HTTP_ERROR"})
        void statusMapping(int status, FailureKind expected) throws Exception {
            server.enqueue(json(status, openRouterError(status, "status " + status)));

            ChatOutcome outcome = call(ask(MODEL));

            assertThat(outcome.failure()).isEqualTo(expected);
            assertThat(outcome.statusCode()).isEqualTo(status);
            assertThat(outcome.errorMessage()).isEqualTo("status " + status);
        }

        @Test
        @DisplayName("OpenRouter's metadata.raw (the upstream provider's words) is added to the message")
        void upstreamRawMessage() throws Exception {
            server.enqueue(json(502, """
                    {"error": {"code": 502, "message": "Provider returned error",
                               "metadata": {"raw": "upstream connect error", "provider_name": "Fireworks"}}}"""));

            assertThat(call(ask(MODEL)).errorMessage()).isEqualTo("Provider returned error: upstream connect error");
        }

        @Test
        @DisplayName("Ollama's {\"error\": \"text\"} → the text is the message")
        void ollamaErrorString() throws Exception {
            server.enqueue(json(404, "{\"error\":\"model \\\"llama3\\\" not found, try pulling it first\"}"));

            ChatOutcome outcome = call(ask(MODEL));

            assertThat(outcome.failure()).isEqualTo(FailureKind.NOT_FOUND);
            assertThat(outcome.errorMessage()).isEqualTo("model \"llama3\" not found, try pulling it first");
        }

        @Test
        @DisplayName("non-JSON error body (a proxy's HTML page) → message quotes it, cut to about 500 chars")
        void htmlErrorBodyTruncated() throws Exception {
            String page = "<html><head><title>502 Bad Gateway</title></head><body>" + "x".repeat(2000) + "</body></html>";
            server.enqueue(new MockResponse.Builder().code(502).setHeader("Content-Type", "text/html").body(page).build());

            ChatOutcome outcome = call(ask(MODEL));

            assertThat(outcome.failure()).isEqualTo(FailureKind.SERVER_ERROR);
            assertThat(outcome.errorMessage()).startsWith("HTTP 502: <html><head><title>502 Bad Gateway");
            assertThat(outcome.errorMessage().length()).isLessThanOrEqualTo(ProviderError.MAX_MESSAGE_CHARS + 1);
        }
    }

    @Nested
    @DisplayName("errors inside a 200 body")
    class ErrorsInsideOk {
        @Test
        @DisplayName("top-level error object in a 200 → upstream_error with its message, status 200")
        void topLevelError() throws Exception {
            server.enqueue(json(200, openRouterError(502, "Upstream provider closed the stream")));

            ChatOutcome outcome = call(ask(MODEL));

            assertThat(outcome.failure()).isEqualTo(FailureKind.UPSTREAM_ERROR);
            assertThat(outcome.failure().retryable()).isTrue();
            assertThat(outcome.statusCode()).isEqualTo(200);
            assertThat(outcome.errorMessage()).isEqualTo("Upstream provider closed the stream");
        }

        @Test
        @DisplayName("choices[0].error with finish_reason error → upstream_error, usage kept")
        void choiceError() throws Exception {
            server.enqueue(json(200, """
                    {"id": "gen-2", "choices": [{"index": 0, "finish_reason": "error", "native_finish_reason": "error",
                      "message": {"role": "assistant", "content": ""},
                      "error": {"code": 500, "message": "Model crashed mid-generation", "metadata": {}}}],
                     "usage": {"prompt_tokens": 12, "completion_tokens": 3}}"""));

            ChatOutcome outcome = call(ask(MODEL));

            assertThat(outcome.failure()).isEqualTo(FailureKind.UPSTREAM_ERROR);
            assertThat(outcome.errorMessage()).isEqualTo("Model crashed mid-generation");
            assertThat(outcome.finishReason()).isEqualTo("error");
            assertThat(outcome.usage()).isEqualTo(new Usage(12, 3, 0, null));
        }

        @Test
        @DisplayName("error code 429 or 402 inside a 200 → mapped like the HTTP status")
        void codeMappedLikeStatus() throws Exception {
            server.enqueue(json(200, openRouterError(429, "Rate limit exceeded upstream")));
            server.enqueue(json(200, openRouterError(402, "Insufficient credits")));
            server.enqueue(json(200, "{\"error\": {\"code\": \"429\", \"message\": \"string code\"}}"));

            assertThat(call(ask(MODEL)).failure()).isEqualTo(FailureKind.RATE_LIMITED);
            assertThat(call(ask(MODEL)).failure()).isEqualTo(FailureKind.INSUFFICIENT_CREDITS);
            assertThat(call(ask(MODEL)).failure()).isEqualTo(FailureKind.RATE_LIMITED);
        }
    }

    @Nested
    @DisplayName("transport failures")
    class Transport {
        @Test
        @DisplayName("no response headers within the call timeout → timeout, near the timeout")
        void timeoutBeforeHeaders() throws Exception {
            server.enqueue(new MockResponse.Builder().code(200).body(COMPLETION).onResponseStart(SocketEffect.Stall.INSTANCE).build());
            try (OpenAiChatClient quick = new OpenAiChatClient(ProviderRoutes.single("openrouter", baseUrl(server), KEY), Duration.ofMillis(300))) {
                ChatOutcome outcome = call(quick, ask(MODEL));

                assertThat(outcome.failure()).isEqualTo(FailureKind.TIMEOUT);
                assertThat(outcome.failure().retryable()).isTrue();
                assertThat(outcome.statusCode()).isNull();
                assertThat(outcome.errorMessage()).contains("300 ms");
                assertThat(outcome.latencyMs()).isBetween(250L, 2_000L);
            }
        }

        @Test
        @DisplayName("a body that stalls after the headers → timeout too")
        void timeoutDuringBody() throws Exception {
            server.enqueue(new MockResponse.Builder().code(200).body(COMPLETION).onResponseBody(SocketEffect.Stall.INSTANCE).build());
            try (OpenAiChatClient quick = new OpenAiChatClient(ProviderRoutes.single("openrouter", baseUrl(server), KEY), Duration.ofMillis(300))) {
                ChatOutcome outcome = call(quick, ask(MODEL));

                assertThat(outcome.failure()).isEqualTo(FailureKind.TIMEOUT);
                assertThat(outcome.latencyMs()).isBetween(250L, 2_000L);
            }
        }

        @Test
        @DisplayName("server closes the connection without answering → sent again at once on a fresh connection, and answered")
        void staleConnectionIsSentAgain() throws Exception {
            server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
            server.enqueue(new MockResponse.Builder().code(200).body(COMPLETION).build());

            ChatOutcome outcome = call(client, ask(MODEL));

            assertThat(outcome.succeeded()).as(String.valueOf(outcome.errorMessage())).isTrue();
            assertThat(server.getRequestCount()).isEqualTo(2);
        }

        @Test
        @DisplayName("server closes the connection twice → network_error, left to the retry policy")
        void closedTwice() throws Exception {
            server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
            server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
            server.enqueue(new MockResponse.Builder().code(200).body(COMPLETION).build());

            ChatOutcome outcome = call(client, ask(MODEL));

            assertThat(outcome.failure()).isEqualTo(FailureKind.NETWORK_ERROR);
            assertThat(server.getRequestCount()).isEqualTo(2);
        }

        @Test
        @DisplayName("connection refused → network_error, retryable")
        void connectionRefused() throws Exception {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            try (OpenAiChatClient refused = new OpenAiChatClient(ProviderRoutes.single("local", "http://127.0.0.1:" + port + "/v1", KEY), TIMEOUT)) {
                ChatOutcome outcome = call(refused, ask(MODEL));

                assertThat(outcome.failure()).isEqualTo(FailureKind.NETWORK_ERROR);
                assertThat(outcome.failure().retryable()).isTrue();
                assertThat(outcome.statusCode()).isNull();
                assertThat(outcome.errorMessage()).contains("could not connect to local");
            }
        }

        @Test
        @DisplayName("no provider for the model → no_provider, nothing sent")
        void noProvider() throws Exception {
            ProviderConfig local = new ProviderConfig("local", URI.create(baseUrl(server)), null, null,
                    Map.of(), List.of("ollama/"), false, true, false);
            try (OpenAiChatClient onlyLocal = new OpenAiChatClient(new ProviderRoutes(List.of(local), null), TIMEOUT)) {
                ChatOutcome outcome = call(onlyLocal, ask(MODEL));

                assertThat(outcome.failure()).isEqualTo(FailureKind.NO_PROVIDER);
                assertThat(outcome.errorMessage()).contains(MODEL);
                assertThat(server.getRequestCount()).isZero();
            }
        }

        @Test
        @DisplayName("https provider without a key → unauthorized at once, naming the env variable to set")
        void missingKey() throws Exception {
            ProviderRoutes routes = ProviderRoutes.fromProperties(Map.of(), name -> null);
            try (OpenAiChatClient keyless = new OpenAiChatClient(routes, TIMEOUT)) {
                ChatOutcome outcome = call(keyless, ask(MODEL));

                assertThat(outcome.failure()).isEqualTo(FailureKind.UNAUTHORIZED);
                assertThat(outcome.statusCode()).isNull();
                assertThat(outcome.errorMessage()).contains("set OPENROUTER_API_KEY");
            }
        }
    }

    @Nested
    @DisplayName("what is sent")
    class Sent {
        @Test
        @DisplayName("POST {baseUrl}/chat/completions with Authorization, Content-Type and fusion depth headers")
        void pathAndHeaders() throws Exception {
            server.enqueue(json(200, COMPLETION));

            call(new ChatRequest(MODEL, List.of(ChatMessage.user("hi")), null, null, null, null, null, 2));

            RecordedRequest sent = takeRequest();
            assertThat(sent.getMethod()).isEqualTo("POST");
            assertThat(sent.getUrl().encodedPath()).isEqualTo("/api/v1/chat/completions");
            assertThat(sent.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
            assertThat(sent.getHeaders().get("Content-Type")).isEqualTo("application/json");
            assertThat(sent.getHeaders().get("x-openrouter-fusion-depth")).isEqualTo("2");
        }

        @Test
        @DisplayName("web tools on OpenRouter → tools [{type: openrouter:web_search}, {type: openrouter:web_fetch}], run by OpenRouter")
        void serverToolsOnOpenRouter() throws Exception {
            server.enqueue(json(200, COMPLETION));
            ProviderRoutes openrouter = ProviderRoutes.fromProperties(Map.of("fusion.provider.openrouter.base-url", baseUrl(server)), name -> KEY);
            try (OpenAiChatClient withTools = new OpenAiChatClient(openrouter, TIMEOUT)) {
                call(withTools, ask(MODEL).withServerTools(List.of("web_search", "web_fetch")));
            }

            JsonNode tools = sentBody().path("tools");
            assertThat(tools).hasSize(2);
            assertThat(tools.get(0).path("type").asText()).isEqualTo("openrouter:web_search");
            assertThat(tools.get(1).path("type").asText()).isEqualTo("openrouter:web_fetch");
        }

        @Test
        @DisplayName("web tools on OpenRouter carry the request's max_tool_calls in the body (OpenRouter's own default is 30)")
        void maxToolCallsOnOpenRouter() throws Exception {
            server.enqueue(json(200, COMPLETION));
            ProviderRoutes openrouter = ProviderRoutes.fromProperties(Map.of("fusion.provider.openrouter.base-url", baseUrl(server)), name -> KEY);
            try (OpenAiChatClient withTools = new OpenAiChatClient(openrouter, TIMEOUT)) {
                call(withTools, ask(MODEL).withTools(List.of("web_search", "web_fetch"), 5));
            }

            JsonNode body = sentBody();
            assertThat(body.path("max_tool_calls").asInt()).isEqualTo(5);
            assertThat(body.path("tools")).hasSize(2);
        }

        @Test
        @DisplayName("a tool-loop turn offers function tools and sends the conversation's tool_calls and role:tool messages with tool_call_id")
        void functionToolsAndToolMessages() throws Exception {
            server.enqueue(json(200, COMPLETION));
            List<ChatMessage> conversation = List.of(ChatMessage.user("What is new?"),
                    ChatMessage.toolRequest("", List.of(new ToolCall("call_1", "web_fetch", "{\"url\":\"https://example.org\"}"))),
                    ChatMessage.toolResult("call_1", "the page"));

            call(ask(MODEL).loopStep(conversation, List.of("web_search", "web_fetch")));

            JsonNode body = sentBody();
            assertThat(body.has("max_tool_calls")).isFalse();
            JsonNode tools = body.path("tools");
            assertThat(tools).hasSize(2);
            assertThat(tools.get(0).path("type").asText()).isEqualTo("function");
            assertThat(tools.get(0).path("function").path("name").asText()).isEqualTo("web_search");
            assertThat(tools.get(0).path("function").path("parameters").path("required").get(0).asText()).isEqualTo("query");
            assertThat(tools.get(1).path("function").path("name").asText()).isEqualTo("web_fetch");
            JsonNode assistant = body.path("messages").get(1);
            assertThat(assistant.path("content").isNull()).isTrue();
            assertThat(assistant.path("tool_calls").get(0).path("id").asText()).isEqualTo("call_1");
            assertThat(assistant.path("tool_calls").get(0).path("type").asText()).isEqualTo("function");
            assertThat(assistant.path("tool_calls").get(0).path("function").path("arguments").asText()).isEqualTo("{\"url\":\"https://example.org\"}");
            JsonNode tool = body.path("messages").get(2);
            assertThat(tool.path("role").asText()).isEqualTo("tool");
            assertThat(tool.path("tool_call_id").asText()).isEqualTo("call_1");
            assertThat(tool.path("content").asText()).isEqualTo("the page");
        }

        @Test
        @DisplayName("web tools on a provider without server tools (fusion.provider.<name>.server-tools=false) → no tools in the body")
        void noServerToolsElsewhere() throws Exception {
            server.enqueue(json(200, COMPLETION));

            call(ask(MODEL).withServerTools(List.of("web_search")));

            assertThat(sentBody().has("tools")).isFalse();
        }

        @Test
        @DisplayName("http:// base URL → HTTP/1.1, no h2c upgrade attempt")
        void http11ForPlainHttp() throws Exception {
            server.enqueue(json(200, COMPLETION));

            call(ask(MODEL));

            RecordedRequest sent = takeRequest();
            assertThat(sent.getVersion()).isEqualTo("HTTP/1.1");
            assertThat(sent.getHeaders().get("Upgrade")).isNull();
        }

        @Test
        @DisplayName("body carries model, messages, temperature, max_completion_tokens and reasoning {effort, max_tokens}")
        void fullBody() throws Exception {
            server.enqueue(json(200, COMPLETION));

            call(ask(MODEL).withTemperature(0.2).withMaxCompletionTokens(800).withReasoning("high", 2000));

            JsonNode body = sentBody();
            assertThat(body.path("model").asText()).isEqualTo(MODEL);
            assertThat(body.path("messages")).hasSize(2);
            assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
            assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("Be brief.");
            assertThat(body.path("messages").get(1).path("role").asText()).isEqualTo("user");
            assertThat(body.path("messages").get(1).path("content").asText()).isEqualTo("What is Kafka?");
            assertThat(body.path("temperature").asDouble()).isEqualTo(0.2);
            assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(800);
            assertThat(body.path("reasoning").path("effort").asText()).isEqualTo("high");
            assertThat(body.path("reasoning").path("max_tokens").asInt()).isEqualTo(2000);
        }

        @Test
        @DisplayName("unset fields are left out; reasoning carries only the fields set")
        void unsetFieldsOmitted() throws Exception {
            server.enqueue(json(200, COMPLETION));
            server.enqueue(json(200, COMPLETION));

            call(ask(MODEL));
            call(ask(MODEL).withReasoning("low", null));

            JsonNode minimal = sentBody();
            assertThat(minimal.has("temperature")).isFalse();
            assertThat(minimal.has("max_completion_tokens")).isFalse();
            assertThat(minimal.has("reasoning")).isFalse();
            assertThat(minimal.has("response_format")).isFalse();
            JsonNode effortOnly = sentBody();
            assertThat(effortOnly.path("reasoning").path("effort").asText()).isEqualTo("low");
            assertThat(effortOnly.path("reasoning").has("max_tokens")).isFalse();
        }

        @Test
        @DisplayName("response_format sent when the provider supports structured output, left out when it does not")
        void responseFormatOnlyWithStructuredOutput() throws Exception {
            JsonNode format = JSON.readTree("""
                    {"type": "json_schema", "json_schema": {"name": "verdict", "strict": true,
                      "schema": {"type": "object", "properties": {"winner": {"type": "string"}}, "required": ["winner"]}}}""");
            server.enqueue(json(200, COMPLETION));
            server.enqueue(json(200, COMPLETION));
            ProviderRoutes noStructured = ProviderRoutes.fromProperties(Map.of(
                    "fusion.providers", "local",
                    "fusion.provider.local.base-url", baseUrl(server),
                    "fusion.provider.local.structured-output", "false"), name -> null);

            call(ask(MODEL).withResponseFormat(format));
            try (OpenAiChatClient plain = new OpenAiChatClient(noStructured, TIMEOUT)) {
                call(plain, ask(MODEL).withResponseFormat(format));
            }

            assertThat(sentBody().path("response_format")).isEqualTo(format);
            assertThat(sentBody().has("response_format")).isFalse();
        }

        @Test
        @DisplayName("strip-prefix → model sent without the matched prefix; extra headers sent; no key → no Authorization")
        void localProviderSettings() throws Exception {
            server.enqueue(json(200, COMPLETION));
            ProviderRoutes routes = ProviderRoutes.fromProperties(Map.of(
                    "fusion.providers", "openrouter,local",
                    "fusion.provider.local.base-url", baseUrl(server),
                    "fusion.provider.local.models", "ollama/,vllm/",
                    "fusion.provider.local.strip-prefix", "true",
                    "fusion.provider.local.header.X-Title", "Fusion"), name -> null);

            try (OpenAiChatClient local = new OpenAiChatClient(routes, TIMEOUT)) {
                assertThat(call(local, ask("ollama/llama3.2")).succeeded()).isTrue();
            }

            RecordedRequest sent = takeRequest();
            assertThat(JSON.readTree(sent.getBody().utf8()).path("model").asText()).isEqualTo("llama3.2");
            assertThat(sent.getHeaders().get("X-Title")).isEqualTo("Fusion");
            assertThat(sent.getHeaders().get("Authorization")).isNull();
        }

        @Test
        @DisplayName("models are routed by prefix, longest prefix winning, the rest to the default provider")
        void routingByPrefix() throws Exception {
            try (MockWebServer local = new MockWebServer(); MockWebServer special = new MockWebServer()) {
                local.start();
                special.start();
                ProviderRoutes routes = ProviderRoutes.fromProperties(Map.of(
                        "fusion.providers", "openrouter,local,special",
                        "fusion.provider.openrouter.base-url", baseUrl(server),
                        "fusion.provider.local.base-url", baseUrl(local),
                        "fusion.provider.local.models", "ollama/",
                        "fusion.provider.special.base-url", baseUrl(special),
                        "fusion.provider.special.models", "ollama/qwen"), name -> name.equals("OPENROUTER_API_KEY") ? KEY : null);
                server.enqueue(json(200, COMPLETION));
                local.enqueue(json(200, COMPLETION));
                special.enqueue(json(200, COMPLETION));

                try (OpenAiChatClient routed = new OpenAiChatClient(routes, TIMEOUT)) {
                    call(routed, ask(MODEL));
                    call(routed, ask("ollama/llama3.2"));
                    call(routed, ask("ollama/qwen3:8b"));
                }

                assertThat(JSON.readTree(takeRequest().getBody().utf8()).path("model").asText()).isEqualTo(MODEL);
                assertThat(JSON.readTree(local.takeRequest(5, TimeUnit.SECONDS).getBody().utf8()).path("model").asText())
                        .isEqualTo("ollama/llama3.2");
                assertThat(JSON.readTree(special.takeRequest(5, TimeUnit.SECONDS).getBody().utf8()).path("model").asText())
                        .isEqualTo("ollama/qwen3:8b");
                assertThat(local.getRequestCount()).isEqualTo(1);
                assertThat(special.getRequestCount()).isEqualTo(1);
            }
        }
    }

    @Nested
    @DisplayName("the API key stays secret")
    class KeySecrecy {
        @Test
        @DisplayName("a key echoed in an error body is redacted from the outcome message")
        void keyRedactedFromOutcome() throws Exception {
            server.enqueue(json(401, openRouterError(401, "Invalid API key: Bearer " + KEY)));
            server.enqueue(new MockResponse.Builder().code(200).body("proxy echo: Authorization: Bearer " + KEY).build());

            ChatOutcome unauthorized = call(ask(MODEL));
            ChatOutcome garbage = call(ask(MODEL));

            assertThat(unauthorized.failure()).isEqualTo(FailureKind.UNAUTHORIZED);
            assertThat(unauthorized.errorMessage()).doesNotContain(KEY).contains("***");
            assertThat(garbage.failure()).isEqualTo(FailureKind.INVALID_RESPONSE);
            assertThat(garbage.errorMessage()).doesNotContain(KEY);
            assertThat(unauthorized.toString()).doesNotContain(KEY);
        }

        @Test
        @DisplayName("a key echoed at the 500-char cut is still redacted (redact, then truncate)")
        void keyRedactedBeforeTruncation() throws Exception {
            String message = "x".repeat(ProviderError.MAX_MESSAGE_CHARS - 10) + KEY;
            server.enqueue(json(400, openRouterError(400, message)));

            assertThat(call(ask(MODEL)).errorMessage()).doesNotContain(KEY.substring(0, 10));
        }

        @Test
        @DisplayName("debug log lines never contain the key")
        void keyNeverLogged() throws Exception {
            Logger logger = (Logger) LoggerFactory.getLogger(OpenAiChatClient.class);
            ListAppender<ILoggingEvent> lines = new ListAppender<>();
            lines.start();
            logger.addAppender(lines);
            Level before = logger.getLevel();
            logger.setLevel(Level.DEBUG);
            try {
                server.enqueue(json(200, COMPLETION));
                server.enqueue(json(401, openRouterError(401, "Invalid API key: " + KEY)));

                call(ask(MODEL));
                call(ask(MODEL));
            } finally {
                logger.detachAppender(lines);
                logger.setLevel(before);
            }

            assertThat(lines.list).hasSizeGreaterThanOrEqualTo(2);
            assertThat(lines.list).allSatisfy(line -> assertThat(line.getFormattedMessage()).doesNotContain(KEY));
        }
    }

    @Test
    @DisplayName("an answer asking for tools, when tools were offered, is a tool-loop step with its tool_calls, not an empty completion")
    void toolCallsParsed() throws Exception {
        server.enqueue(json(200, """
                {"id": "gen-2", "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null,
                  "tool_calls": [{"id": "call_a", "type": "function", "function": {"name": "web_search", "arguments": "{\\"query\\":\\"kafka\\"}"}},
                                 {"id": "call_b", "type": "function", "function": {"name": "web_fetch", "arguments": "{\\"url\\":\\"https://kafka.apache.org\\"}"}}]}}],
                 "usage": {"prompt_tokens": 12, "completion_tokens": 7, "cost": 0.0002}}"""));

        ChatOutcome outcome = call(ask(MODEL).loopStep(List.of(ChatMessage.user("q")), List.of("web_search", "web_fetch")));

        assertThat(outcome.succeeded()).isTrue();
        assertThat(outcome.wantsTools()).isTrue();
        assertThat(outcome.toolCalls()).containsExactly(new ToolCall("call_a", "web_search", "{\"query\":\"kafka\"}"),
                new ToolCall("call_b", "web_fetch", "{\"url\":\"https://kafka.apache.org\"}"));
    }

    @Test
    @DisplayName("usage.server_tool_use (OpenRouter ran the tools) is counted as the call's tool calls")
    void serverToolUseParsed() throws Exception {
        server.enqueue(json(200, """
                {"id": "gen-3", "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Kafka 4.3 ...",
                  "annotations": [{"type": "url_citation", "url_citation": {"url": "https://kafka.apache.org/blog", "title": "Blog"}}]}}],
                 "usage": {"prompt_tokens": 1200, "completion_tokens": 70, "cost": 0.02,
                           "server_tool_use": {"web_search_requests": 2, "tool_calls_requested": 3, "tool_calls_executed": 3}}}"""));

        ChatOutcome outcome = call(ask(MODEL));

        assertThat(outcome.usage().toolCalls()).isEqualTo(3);
        assertThat(outcome.sources()).containsExactly("https://kafka.apache.org/blog");
    }
}
