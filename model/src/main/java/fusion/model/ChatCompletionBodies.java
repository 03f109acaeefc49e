package fusion.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Chat-completion bodies outside an HTTP call: a batch line carries the same request body a synchronous call
 * posts, and its answer is the same response body, so both are built and read here by the same code
 * ({@link ChatCompletionRequestBody}, {@link ChatCompletionResponse}, {@link ProviderError}) and typed the same way.
 */
public final class ChatCompletionBodies {
    private ChatCompletionBodies() {}

    /** The body of {@code POST /chat/completions} for this request, exactly as a synchronous call sends it. */
    public static ObjectNode request(ChatRequest request, ProviderConfig provider, ObjectMapper json) {
        return ChatCompletionRequestBody.of(request, provider, json);
    }

    /**
     * What one answered line came to: a success, or a failure typed as a synchronous call's would be.
     *
     * @param status the line's own HTTP status ({@code response.status_code}); a non-2xx status is a failure
     * @param body   the line's response body, or null when it had none
     */
    public static ChatOutcome outcome(String model, ProviderConfig provider, int status, JsonNode body, long latencyMs) {
        if (status < 200 || status > 299) {
            ProviderError e = ProviderError.ofStatus(status, body, body == null ? "" : body.toString(), false);
            return failed(model, provider, e.kind(), status, e.message(), latencyMs, Usage.NONE);
        }
        ChatCompletionResponse completion;
        try {
            completion = ChatCompletionResponse.parse(body);
        } catch (ChatCompletionResponse.NotACompletion e) {
            return failed(model, provider, FailureKind.INVALID_RESPONSE, status, e.getMessage(), latencyMs, Usage.NONE);
        }
        if (completion.error() != null) {
            ProviderError e = ProviderError.ofErrorInBody(completion.error());
            return failed(model, provider, e.kind(), status, e.message(), latencyMs, completion.usage());
        }
        if (completion.content() == null || completion.content().isBlank()) {
            return failed(model, provider, FailureKind.EMPTY_COMPLETION, status, "model returned no visible text (finish_reason="
                    + completion.finishReason() + ", reasoning tokens=" + completion.usage().reasoningTokens() + ")", latencyMs, completion.usage());
        }
        return new ChatOutcome(model, completion.content(), completion.reasoning(), completion.usage(), latencyMs, status, null, null,
                completion.finishReason(), completion.sources(), 1, null, null);
    }

    /**
     * A line the provider answered with an error object instead of a response ({@code {"message","type","code"}}):
     * typed by its code like an error inside a 200 body, so a 429-coded line is a rate limit, not a final answer.
     */
    public static ChatOutcome lineError(String model, ProviderConfig provider, JsonNode error, long latencyMs) {
        ProviderError e = ProviderError.ofErrorInBody(error);
        return failed(model, provider, e.kind(), null, e.message(), latencyMs, Usage.NONE);
    }

    /** A whole HTTP answer that is not 2xx (a batch endpoint's, not a line's), typed as a chat call's would be. */
    public static FailureKind kindForStatus(int status, JsonNode body, boolean retryAfterGiven) {
        return ProviderError.ofStatus(status, body, "", retryAfterGiven).kind();
    }

    /** The provider's own words for a non-2xx answer, key redacted and cut to length. */
    public static String messageForStatus(ProviderConfig provider, int status, JsonNode body, String rawBody) {
        return ProviderError.truncate(provider.redact(ProviderError.ofStatus(status, body, rawBody, false).message()));
    }

    /** A line's failure in a provider's own error vocabulary (Anthropic's), message redacted and cut like any other. */
    public static ChatOutcome failure(String model, ProviderConfig provider, FailureKind kind, Integer status, String message) {
        return failed(model, provider, kind, status, message, 0, Usage.NONE);
    }

    /** How long an answer asked us to wait ({@code retry-after-ms}, {@code Retry-After}), or null. */
    public static Long retryAfterMillis(java.net.http.HttpHeaders headers) {
        return RetryAfter.millis(headers, java.time.Clock.systemUTC());
    }

    private static ChatOutcome failed(String model, ProviderConfig provider, FailureKind kind, Integer status, String message,
                                      long latencyMs, Usage usage) {
        return new ChatOutcome(model, null, null, usage, latencyMs, status, kind, ProviderError.truncate(provider.redact(message)),
                null, List.of(), 1, null, null);
    }
}
