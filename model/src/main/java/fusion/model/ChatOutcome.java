package fusion.model;

import java.util.List;

/**
 * What a call came to: an answer (content non-blank, failure null) or a typed failure
 * (failure non-null, content null). A client never throws; every call ends in an outcome.
 *
 * @param statusCode HTTP status of the last attempt, or null when no response came
 * @param retryAfterMillis how long the provider asked us to wait (Retry-After), or null
 * @param attempts         how many HTTP attempts the outcome took (0 when it failed before any, e.g. circuit open)
 * @param rateLimit        the last response's rate-limit headers, or null when it sent none
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
        RateLimitInfo rateLimit) {

    public ChatOutcome {
        usage = usage == null ? Usage.NONE : usage;
        sources = sources == null ? List.of() : List.copyOf(sources);
    }

    /** Without rate-limit headers; kept so code written before {@code rateLimit} existed still compiles. */
    public ChatOutcome(String model, String content, String reasoning, Usage usage, long latencyMs, Integer statusCode,
                       FailureKind failure, String errorMessage, String finishReason, List<String> sources, int attempts,
                       Long retryAfterMillis) {
        this(model, content, reasoning, usage, latencyMs, statusCode, failure, errorMessage, finishReason, sources, attempts,
                retryAfterMillis, null);
    }

    public boolean succeeded() { return failure == null; }

    public ChatOutcome withUsage(Usage u) {
        return new ChatOutcome(model, content, reasoning, u, latencyMs, statusCode, failure, errorMessage, finishReason, sources, attempts,
                retryAfterMillis, rateLimit);
    }

    public static ChatOutcome failed(String model, FailureKind kind, Integer status, String message, long latencyMs) {
        return new ChatOutcome(model, null, null, Usage.NONE, latencyMs, status, kind, message, null, List.of(), 1, null, null);
    }
}
