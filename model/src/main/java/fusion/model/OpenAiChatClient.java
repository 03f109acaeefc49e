package fusion.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls {@code POST {baseUrl}/chat/completions} of an OpenAI-compatible API (OpenRouter, OpenAI,
 * Ollama, vLLM, the simulator) with the JDK HTTP client. One call is one attempt: retries belong in
 * a wrapper around {@link #complete}, which can use {@link FailureKind#retryable()},
 * {@link ChatOutcome#retryAfterMillis()} and {@link ChatOutcome#rateLimit()} (see
 * {@code fusion.model.resilience.ResilientChatClient}).
 */
public final class OpenAiChatClient implements ChatClient {
    /** Providers already warned that they cannot run the web tools a call asked for: once each, not once a call. */
    private final java.util.Set<String> providersWithoutTools = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Tells the receiving endpoint how deep in fusion this call is, so an inner call never starts fusion again. */
    public static final String FUSION_DEPTH_HEADER = "x-openrouter-fusion-depth";

    private static final Logger log = LoggerFactory.getLogger(OpenAiChatClient.class);

    private final ProviderRoutes routes;
    private final Duration callTimeout;
    private final HttpClient http;
    private final boolean ownsHttpClient;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * @param callTimeout how long one call may take, connect to last body byte; beyond it the outcome is {@link FailureKind#TIMEOUT}
     */
    public OpenAiChatClient(ProviderRoutes routes, Duration callTimeout) {
        this(routes, callTimeout, HttpClient.newBuilder()
                .connectTimeout(callTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build(), true, Clock.systemUTC());
    }

    /** Shares an existing HTTP client (its connection pool); {@link #close()} then leaves it open. */
    public OpenAiChatClient(ProviderRoutes routes, Duration callTimeout, HttpClient http) {
        this(routes, callTimeout, http, false, Clock.systemUTC());
    }

    private OpenAiChatClient(ProviderRoutes routes, Duration callTimeout, HttpClient http, boolean ownsHttpClient, Clock clock) {
        this.routes = Objects.requireNonNull(routes, "routes");
        this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
        if (callTimeout.isNegative() || callTimeout.isZero()) throw new IllegalArgumentException("callTimeout must be positive: " + callTimeout);
        this.http = Objects.requireNonNull(http, "http");
        this.ownsHttpClient = ownsHttpClient;
        this.clock = clock;
    }

    public ProviderRoutes routes() {
        return routes;
    }

    @Override
    public CompletableFuture<ChatOutcome> complete(ChatRequest request) {
        long started = System.nanoTime();
        if (request == null) {
            return CompletableFuture.completedFuture(ChatOutcome.failed(null, FailureKind.BAD_REQUEST, null, "request is null", 0));
        }
        String model = request.model();
        ProviderConfig provider = routes.route(model).orElse(null);
        if (provider == null) {
            return CompletableFuture.completedFuture(ChatOutcome.failed(model, FailureKind.NO_PROVIDER, null,
                    "no provider for model " + model + "; add its prefix to fusion.provider.<name>.models or set fusion.provider.default",
                    millisSince(started)));
        }
        if (!provider.usable()) {
            // fail here rather than send a call that can only come back 401
            return CompletableFuture.completedFuture(ChatOutcome.failed(model, FailureKind.UNAUTHORIZED, null,
                    "provider " + provider.name() + " has no API key; " + provider.apiKeyHint(), millisSince(started)));
        }
        try {
            HttpRequest httpRequest = httpRequest(request, provider);
            AtomicInteger sent = new AtomicInteger();
            CompletableFuture<HttpResponse<String>> call = sendOnLiveConnection(httpRequest, sent);
            // the request timeout only covers the wait for headers; this deadline also covers a body that stalls
            return call.copy()
                    .orTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .handle((response, error) -> {
                        if (error != null) call.cancel(true);
                        return outcome(model, provider, response, error, started, !request.functionTools().isEmpty()).withHttpRequests(sent.get());
                    });
        } catch (RuntimeException e) {
            // e.g. a header value the HTTP client refuses; the future must still complete normally
            return CompletableFuture.completedFuture(logged(model, provider, ChatOutcome.failed(model, FailureKind.BAD_REQUEST, null,
                    safeMessage(provider, "could not build the request: " + e.getMessage()), millisSince(started))));
        }
    }

    /**
     * Sends, and sends once more at once when the first try met a pooled connection the server had
     * already closed (it answered not a byte). Servers drop idle keep-alive connections whenever they
     * like; that says nothing about the model, so it must neither wait out a backoff nor count
     * against the model's circuit. The JDK client retries such a failure only for idempotent methods.
     * {@code sent} counts the requests sent, so the re-send shows in {@link ChatOutcome#httpRequests()}.
     */
    private CompletableFuture<HttpResponse<String>> sendOnLiveConnection(HttpRequest httpRequest, AtomicInteger sent) {
        HttpResponse.BodyHandler<String> body = HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8);
        sent.incrementAndGet();
        return http.sendAsync(httpRequest, body).handle((response, error) -> {
                    if (error == null) return CompletableFuture.completedFuture(response);
                    if (!staleConnection(unwrap(error))) return CompletableFuture.<HttpResponse<String>>failedFuture(error);
                    sent.incrementAndGet();
                    return http.sendAsync(httpRequest, body);
                })
                .thenCompose(f -> f);
    }

    /** The server closed the connection before a byte of the response: a stale pooled connection. */
    static boolean staleConnection(Throwable error) {
        if (error instanceof java.io.EOFException) return true;
        return error instanceof IOException && !(error instanceof ConnectException) && !(error instanceof HttpTimeoutException)
                && error.getMessage() != null && error.getMessage().contains("received no bytes");
    }

    private HttpRequest httpRequest(ChatRequest request, ProviderConfig provider) {
        if (!request.serverTools().isEmpty() && !provider.serverTools() && providersWithoutTools.add(provider.name())) {
            log.warn("calls ask for web tools {}, but provider {} runs no server tools (fusion.provider.{}.server-tools=false): "
                    + "its models answer from what they know", request.serverTools(), provider.name(), provider.name());
        }
        String body;
        try {
            body = json.writeValueAsString(ChatCompletionRequestBody.of(request, provider, json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("request body is not serialisable: " + e.getOriginalMessage(), e);
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(provider.chatCompletionsUri())
                .timeout(callTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header(FUSION_DEPTH_HEADER, Integer.toString(request.fusionDepth()));
        if (provider.apiKey() != null) builder.header("Authorization", "Bearer " + provider.apiKey());
        provider.headers().forEach(builder::setHeader);
        // plain-http endpoints (local servers, the JDK HttpServer simulator) do not speak h2c; skip the upgrade attempt
        if ("http".equalsIgnoreCase(provider.baseUrl().getScheme())) builder.version(HttpClient.Version.HTTP_1_1);
        return builder.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
    }

    private ChatOutcome outcome(String model, ProviderConfig provider, HttpResponse<String> response, Throwable error, long started,
                                boolean toolsOffered) {
        ChatOutcome outcome;
        try {
            outcome = error != null
                    ? transportFailure(model, provider, unwrap(error), started)
                    : fromResponse(model, provider, response, started, toolsOffered);
        } catch (RuntimeException e) {
            outcome = ChatOutcome.failed(model, FailureKind.INVALID_RESPONSE, response == null ? null : response.statusCode(),
                    safeMessage(provider, "could not read the response: " + e), millisSince(started));
        }
        return logged(model, provider, outcome);
    }

    private ChatOutcome transportFailure(String model, ProviderConfig provider, Throwable error, long started) {
        long latency = millisSince(started);
        if (error instanceof TimeoutException || error instanceof HttpTimeoutException) {
            return ChatOutcome.failed(model, FailureKind.TIMEOUT, null,
                    "no complete response from " + provider.name() + " within " + callTimeout.toMillis() + " ms", latency);
        }
        String where = provider.name() + " (" + provider.baseUrl() + ")";
        String detail = error.getMessage() == null ? error.getClass().getSimpleName() : error.getClass().getSimpleName() + ": " + error.getMessage();
        String message = error instanceof ConnectException
                ? "could not connect to " + where + ": " + detail
                : "call to " + where + " failed: " + detail;
        FailureKind kind = error instanceof IOException ? FailureKind.NETWORK_ERROR : FailureKind.INVALID_RESPONSE;
        return ChatOutcome.failed(model, kind, null, safeMessage(provider, message), latency);
    }

    private ChatOutcome fromResponse(String model, ProviderConfig provider, HttpResponse<String> response, long started,
                                     boolean toolsOffered) {
        long latency = millisSince(started);
        int status = response.statusCode();
        String body = response.body() == null ? "" : response.body();
        JsonNode root = parseJson(body);
        RateLimitInfo rateLimit = RateLimitInfo.from(response.headers(), clock);

        if (status < 200 || status > 299) {
            Long retryAfter = RetryAfter.millis(response.headers(), clock);
            ProviderError e = ProviderError.ofStatus(status, root, body, retryAfter != null);
            return failure(model, provider, e.kind(), status, e.message(), latency, Usage.NONE, null, null, retryAfter, rateLimit);
        }
        if (root == null) {
            return failure(model, provider, FailureKind.INVALID_RESPONSE, status,
                    "response body is not JSON: " + (body.isBlank() ? "(empty)" : body.strip()), latency, Usage.NONE, null, null, null, rateLimit);
        }
        ChatCompletionResponse completion;
        try {
            completion = ChatCompletionResponse.parse(root);
        } catch (ChatCompletionResponse.NotACompletion e) {
            return failure(model, provider, FailureKind.INVALID_RESPONSE, status, e.getMessage(), latency, Usage.NONE, null, null, null, rateLimit);
        }
        if (completion.error() != null) {
            ProviderError e = ProviderError.ofErrorInBody(completion.error());
            return failure(model, provider, e.kind(), status, e.message(), latency, completion.usage(), null, completion.finishReason(), null, rateLimit);
        }
        if (toolsOffered && !completion.toolCalls().isEmpty()) {
            // a step of a tool loop: the model asked for tools instead of answering, which is no empty completion
            return new ChatOutcome(model, completion.content() == null ? "" : completion.content(), completion.reasoning(),
                    completion.usage(), latency, status, null, null, completion.finishReason(), completion.sources(), 1, null, rateLimit,
                    java.util.Map.of(), 0, 1, completion.toolCalls());
        }
        if (completion.content() == null || completion.content().isBlank()) {
            // typical of a reasoning model that spent its whole budget thinking, or of a filtered answer
            String message = "model returned no visible text (finish_reason=" + completion.finishReason()
                    + ", reasoning tokens=" + completion.usage().reasoningTokens() + ")";
            return failure(model, provider, FailureKind.EMPTY_COMPLETION, status, message, latency,
                    completion.usage(), completion.reasoning(), completion.finishReason(), null, rateLimit);
        }
        return new ChatOutcome(model, completion.content(), completion.reasoning(), completion.usage(), latency, status,
                null, null, completion.finishReason(), completion.sources(), 1, null, rateLimit);
    }

    private static ChatOutcome failure(String model, ProviderConfig provider, FailureKind kind, Integer status, String message,
                                       long latency, Usage usage, String reasoning, String finishReason, Long retryAfterMillis,
                                       RateLimitInfo rateLimit) {
        return new ChatOutcome(model, null, reasoning, usage, latency, status, kind, safeMessage(provider, message),
                finishReason, List.of(), 1, retryAfterMillis, rateLimit);
    }

    /** Null when the body is not (exactly one) JSON value. */
    private JsonNode parseJson(String body) {
        if (body.isBlank()) return null;
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** Providers sometimes echo the request, key included; never let it reach an outcome or a log line. */
    private static String safeMessage(ProviderConfig provider, String message) {
        return message == null ? null : ProviderError.truncate(provider.redact(message));
    }

    private static ChatOutcome logged(String model, ProviderConfig provider, ChatOutcome outcome) {
        if (log.isDebugEnabled()) {
            if (outcome.succeeded()) {
                log.debug("{} via {}: HTTP {} in {} ms, finish_reason={}, tokens in/out {}/{}",
                        model, provider.name(), outcome.statusCode(), outcome.latencyMs(), outcome.finishReason(),
                        outcome.usage().promptTokens(), outcome.usage().completionTokens());
            } else {
                log.debug("{} via {}: {} ({}) in {} ms: {}", model, provider.name(), outcome.failure().wireName(),
                        outcome.statusCode() == null ? "no response" : "HTTP " + outcome.statusCode(), outcome.latencyMs(), outcome.errorMessage());
            }
        }
        return outcome;
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) e = e.getCause();
        return e;
    }

    private static long millisSince(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    /** Releases the HTTP client's threads and connections when this client created it (Java 21+ only; earlier JDKs free them on GC). */
    @Override
    public void close() {
        if (ownsHttpClient && http instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.debug("closing the HTTP client failed", e);
            }
        }
    }
}
