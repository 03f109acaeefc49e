package fusion.model;

import java.util.List;
import java.util.Map;
import java.util.Collections;
import java.util.TreeMap;

/**
 * What a call came to: an answer (content non-blank, failure null) or a typed failure
 * (failure non-null, content null). A client never throws; every call ends in an outcome.
 *
 * @param statusCode HTTP status of the last attempt, or null when no response came
 * @param retryAfterMillis how long the provider asked us to wait (Retry-After), or null
 * @param attempts         how many HTTP attempts the outcome took (0 when it failed before any, e.g. circuit open)
 * @param rateLimit        the last response's rate-limit headers, or null when it sent none
 * @param retriesByReason  attempts that failed and were tried again, by failure wire name (e.g. {@code server_error → 2});
 *                         empty when the first attempt was the last
 * @param circuitWaitMs    how long the call waited, in all, for its model's open (or half-open) circuit; 0 when it never did
 * @param httpRequests     HTTP requests actually sent, at least {@code attempts}: a request re-sent at once because it met a
 *                         pooled connection the server had closed counts here but is not an attempt
 * @param toolCalls        the function calls the model asked for instead of answering (content may then be blank); a tool
 *                         loop runs them and asks again, so no caller outside the loop ever sees them
 */
public record ChatOutcome(
        String model,
        String content,
        String reasoning,
        Usage usage,
        long latencyMs,
        Integer statusCode,
        FailureKind failure,
        String errorMessage,
        String finishReason,
        List<String> sources,
        int attempts,
        Long retryAfterMillis,
        RateLimitInfo rateLimit,
        Map<String, Integer> retriesByReason,
        long circuitWaitMs,
        int httpRequests,
        List<ToolCall> toolCalls) {

    public ChatOutcome {
        usage = usage == null ? Usage.NONE : usage;
        sources = sources == null ? List.of() : List.copyOf(sources);
        // sorted, so a record or a summary built from it lists the reasons in a stable order
        retriesByReason = retriesByReason == null || retriesByReason.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new TreeMap<>(retriesByReason));
        httpRequests = Math.max(httpRequests, attempts);
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    /** Without tool calls; kept so code written before the tool loop still compiles. */
    public ChatOutcome(String model, String content, String reasoning, Usage usage, long latencyMs, Integer statusCode,
                       FailureKind failure, String errorMessage, String finishReason, List<String> sources, int attempts,
                       Long retryAfterMillis, RateLimitInfo rateLimit, Map<String, Integer> retriesByReason, long circuitWaitMs,
                       int httpRequests) {
        this(model, content, reasoning, usage, latencyMs, statusCode, failure, errorMessage, finishReason, sources, attempts,
                retryAfterMillis, rateLimit, retriesByReason, circuitWaitMs, httpRequests, List.of());
    }

    /** Without retry, circuit-wait and request counts ({@code httpRequests} = {@code attempts}); kept so earlier code still compiles. */
    public ChatOutcome(String model, String content, String reasoning, Usage usage, long latencyMs, Integer statusCode,
                       FailureKind failure, String errorMessage, String finishReason, List<String> sources, int attempts,
                       Long retryAfterMillis, RateLimitInfo rateLimit) {
        this(model, content, reasoning, usage, latencyMs, statusCode, failure, errorMessage, finishReason, sources, attempts,
                retryAfterMillis, rateLimit, Map.of(), 0, attempts);
    }

    /** Without rate-limit headers; kept so code written before {@code rateLimit} existed still compiles. */
    public ChatOutcome(String model, String content, String reasoning, Usage usage, long latencyMs, Integer statusCode,
                       FailureKind failure, String errorMessage, String finishReason, List<String> sources, int attempts,
                       Long retryAfterMillis) {
        this(model, content, reasoning, usage, latencyMs, statusCode, failure, errorMessage, finishReason, sources, attempts,
                retryAfterMillis, null);
    }

    public boolean succeeded() { return failure == null; }

    /** Attempts retried in all, whatever their reason. */
    public int retries() {
        return retriesByReason.values().stream().mapToInt(Integer::intValue).sum();
    }

    public ChatOutcome withUsage(Usage u) {
        return new ChatOutcome(model, content, reasoning, u, latencyMs, statusCode, failure, errorMessage, finishReason, sources, attempts,
                retryAfterMillis, rateLimit, retriesByReason, circuitWaitMs, httpRequests, toolCalls);
    }

    /** The model asked for tools rather than answering: a tool loop's step, not an answer. */
    public boolean wantsTools() {
        return failure == null && !toolCalls.isEmpty();
    }

    /** The same outcome, {@code n} HTTP requests having been sent for it. */
    public ChatOutcome withHttpRequests(int n) {
        return new ChatOutcome(model, content, reasoning, usage, latencyMs, statusCode, failure, errorMessage, finishReason, sources, attempts,
                retryAfterMillis, rateLimit, retriesByReason, circuitWaitMs, n, toolCalls);
    }

    public static ChatOutcome failed(String model, FailureKind kind, Integer status, String message, long latencyMs) {
        return new ChatOutcome(model, null, null, Usage.NONE, latencyMs, status, kind, message, null, List.of(), 1, null, null);
    }
}
