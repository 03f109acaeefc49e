package fusion.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * A failure the provider reported: an HTTP error status, or an {@code error} object inside a 200
 * body. Error bodies come as OpenRouter/OpenAI {@code {"error":{"code","message","type","metadata"}}},
 * Ollama {@code {"error":"text"}} or vLLM {@code {"message","type","code"}}.
 */
record ProviderError(FailureKind kind, String message) {
    /** Messages are cut to this length; error bodies can be whole HTML pages. */
    static final int MAX_MESSAGE_CHARS = 500;

    /** A non-2xx response. {@code body} is the parsed body, or null when it was not JSON. */
    static ProviderError ofStatus(int status, JsonNode body, String rawBody, boolean retryAfterGiven) {
        JsonNode error = errorNode(body);
        return new ProviderError(kindForStatus(status, error, retryAfterGiven), message(status, error, rawBody));
    }

    /** An error object inside a 200 body: its code counts like an HTTP status when it names a known client-side failure. */
    static ProviderError ofErrorInBody(JsonNode error) {
        if (explicitlyOutOfQuota(error)) return new ProviderError(FailureKind.QUOTA_EXCEEDED, message(200, error, null));
        int code = numericCode(error);
        FailureKind kind = code >= 400 && code < 500 ? kindForStatus(code, error, false) : FailureKind.UPSTREAM_ERROR;
        if (kind == FailureKind.HTTP_ERROR) kind = FailureKind.UPSTREAM_ERROR;
        return new ProviderError(kind, message(200, error, null));
    }

    static FailureKind kindForStatus(int status, JsonNode error, boolean retryAfterGiven) {
        return switch (status) {
            case 400 -> FailureKind.BAD_REQUEST;
            case 401 -> FailureKind.UNAUTHORIZED;
            case 402 -> FailureKind.INSUFFICIENT_CREDITS;
            case 403 -> FailureKind.FORBIDDEN;
            case 404 -> FailureKind.NOT_FOUND;
            case 408 -> FailureKind.REQUEST_TIMEOUT;
            case 409 -> FailureKind.CONFLICT;
            case 429 -> quotaExhausted(error, retryAfterGiven) ? FailureKind.QUOTA_EXCEEDED : FailureKind.RATE_LIMITED;
            case 503, 529 -> FailureKind.OVERLOADED;
            default -> status >= 500 && status < 600 ? FailureKind.SERVER_ERROR : FailureKind.HTTP_ERROR;
        };
    }

    /**
     * OpenAI's {@code insufficient_quota} always means the quota is gone. A message that merely
     * mentions a quota counts too, unless the provider also sent Retry-After: then it expects the
     * limit to lift soon, which is a rate limit (Gemini words its per-minute limits this way).
     */
    private static boolean quotaExhausted(JsonNode error, boolean retryAfterGiven) {
        if (explicitlyOutOfQuota(error)) return true;
        if (retryAfterGiven || error == null) return false;
        String text = error.isTextual() ? error.textValue() : text(error.path("message")) + " " + text(error.path("metadata").path("raw"));
        return text.toLowerCase(Locale.ROOT).contains("quota");
    }

    private static boolean explicitlyOutOfQuota(JsonNode error) {
        return error != null
                && ("insufficient_quota".equals(text(error.path("code"))) || "insufficient_quota".equals(text(error.path("type"))));
    }

    /** The {@code error} member, or the body itself when it is a vLLM-style top-level error. */
    private static JsonNode errorNode(JsonNode body) {
        if (body == null || !body.isObject()) return null;
        JsonNode error = body.get("error");
        if (error != null && !error.isNull()) return error;
        return body.hasNonNull("message") ? body : null;
    }

    private static int numericCode(JsonNode error) {
        JsonNode code = error.path("code");
        if (code.isInt()) return code.intValue();
        try {
            return code.isTextual() ? Integer.parseInt(code.textValue().strip()) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String message(int status, JsonNode error, String rawBody) {
        String message;
        if (error == null) {
            message = rawBody == null || rawBody.isBlank()
                    ? "HTTP " + status + " with an empty body"
                    : "HTTP " + status + ": " + rawBody.strip().replaceAll("\\s+", " ");
        } else if (error.isTextual()) {
            message = error.textValue();
        } else {
            message = text(error.path("message"));
            if (message.isBlank()) message = "provider error without a message: " + error;
            // OpenRouter puts the upstream provider's own words in metadata.raw; they are usually the useful part
            String raw = text(error.path("metadata").path("raw"));
            if (!raw.isBlank() && !message.contains(raw)) message = message + ": " + raw;
        }
        return message;
    }

    /** Cut after redacting, never before: a cut could leave part of a key that redaction no longer recognises. */
    static String truncate(String message) {
        return message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS) + "…";
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? "" : node.isValueNode() ? node.asText() : node.toString();
    }
}
