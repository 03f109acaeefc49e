package fusion.model.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.model.ChatCompletionBodies;
import fusion.model.FailureKind;
import fusion.model.ProviderConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One provider's batch endpoints over HTTP: sends with its key, tries transient failures again, and turns the rest
 * into a typed {@link BatchException} whose message never holds the key.
 */
final class BatchHttp {
    private static final Logger log = LoggerFactory.getLogger(BatchHttp.class);

    private final ProviderConfig provider;
    private final HttpClient http;
    private final BatchRetry retry;
    final ObjectMapper json = new ObjectMapper();

    /** How a provider takes its key: {@code Authorization: Bearer} (OpenAI, OpenRouter) or Anthropic's {@code x-api-key}. */
    enum KeyHeader { BEARER, ANTHROPIC }

    /** The Messages API version Anthropic's batch endpoints are documented against; a configured header overrides it. */
    static final String ANTHROPIC_VERSION = "2023-06-01";

    private final KeyHeader keyHeader;

    BatchHttp(ProviderConfig provider, HttpClient http, BatchRetry retry, KeyHeader keyHeader) {
        this.provider = provider;
        this.http = http;
        this.retry = retry;
        this.keyHeader = keyHeader;
    }

    ProviderConfig provider() {
        return provider;
    }

    /** {@code {baseUrl}/path}; the base URL is the API root, as for chat completions ({@code https://openrouter.ai/api/v1}). */
    URI uri(String path) {
        return URI.create(provider.baseUrl() + path);
    }

    JsonNode sendJson(String what, HttpRequest.Builder request) throws BatchException {
        return sendJson(what, request, true);
    }

    /**
     * @param repeatable whether sending it twice is harmless; when not (creating a batch), only answers that prove the
     *                   provider took nothing are tried again: 429 and a refused connection
     */
    JsonNode sendJson(String what, HttpRequest.Builder request, boolean repeatable) throws BatchException {
        String body = send(what, request.header("Accept", "application/json"), repeatable);
        try {
            JsonNode node = json.readTree(body);
            if (node == null || !node.isObject()) throw new BatchException(FailureKind.INVALID_RESPONSE, null, what + ": the answer is not a JSON object");
            return node;
        } catch (JsonProcessingException e) {
            throw new BatchException(FailureKind.INVALID_RESPONSE, null, what + ": the answer is not JSON: " + cut(body));
        }
    }

    /** The body of a 2xx answer, after trying retryable failures again. */
    String send(String what, HttpRequest.Builder request, boolean repeatable) throws BatchException {
        if (!provider.usable()) {
            throw new BatchException(FailureKind.UNAUTHORIZED, null, what + ": provider " + provider.name() + " has no API key; " + provider.apiKeyHint());
        }
        // no Accept here: a results file comes as JSONL or octet-stream, and sendJson asks for JSON itself
        request.timeout(retry.callTimeout());
        if (keyHeader == KeyHeader.ANTHROPIC) {
            request.setHeader("anthropic-version", ANTHROPIC_VERSION);
            if (provider.apiKey() != null) request.header("x-api-key", provider.apiKey());
        } else if (provider.apiKey() != null) {
            request.header("Authorization", "Bearer " + provider.apiKey());
        }
        provider.headers().forEach(request::setHeader);
        if ("http".equalsIgnoreCase(provider.baseUrl().getScheme())) request.version(HttpClient.Version.HTTP_1_1);
        HttpRequest built = request.build();
        BatchException last = null;
        boolean nothingTaken = false;
        for (int attempt = 1; attempt <= retry.attempts(); attempt++) {
            Long retryAfter = null;
            nothingTaken = false;
            try {
                HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int status = response.statusCode();
                String body = response.body() == null ? "" : response.body();
                if (status >= 200 && status <= 299) return body;
                JsonNode parsed = parse(body);
                retryAfter = ChatCompletionBodies.retryAfterMillis(response.headers());
                nothingTaken = status == 429;
                last = new BatchException(kind(status, parsed, retryAfter != null), status,
                        what + " at " + provider.name() + ": HTTP " + status + ": " + ChatCompletionBodies.messageForStatus(provider, status, parsed, body)
                                + hint(status));
            } catch (HttpTimeoutException e) {
                last = new BatchException(FailureKind.TIMEOUT, null, what + " at " + provider.name() + ": no answer within " + retry.callTimeout().toMillis() + " ms");
            } catch (IOException e) {
                nothingTaken = e instanceof java.net.ConnectException;
                last = new BatchException(FailureKind.NETWORK_ERROR, null,
                        what + " at " + provider.name() + " (" + provider.baseUrl() + ") failed: " + provider.redact(String.valueOf(e.getMessage())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BatchException(FailureKind.CANCELLED, null, what + " at " + provider.name() + ": interrupted");
            }
            if (!last.retryable() || attempt == retry.attempts() || (!repeatable && !nothingTaken)) break;
            Duration wait = retry.waitAfter(attempt, retryAfter);
            log.debug("{} (attempt {}), trying again in {} ms", last.getMessage(), attempt, wait.toMillis());
            pause(wait, what);
        }
        throw last;
    }

    private static FailureKind kind(int status, JsonNode body, boolean retryAfterGiven) {
        return ChatCompletionBodies.kindForStatus(status, body, retryAfterGiven);
    }

    private String hint(int status) {
        return status == 401 || status == 403 ? " (the key is missing, invalid or may not use batches; " + provider.apiKeyHint() + ")" : "";
    }

    private JsonNode parse(String body) {
        try {
            return body.isBlank() ? null : json.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static void pause(Duration wait, String what) throws BatchException {
        if (wait.isZero()) return;
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BatchException(FailureKind.CANCELLED, null, what + ": interrupted while waiting to try again");
        }
    }

    private String cut(String body) {
        String b = provider.redact(body.strip());
        return b.length() <= 200 ? b : b.substring(0, 200) + "…";
    }
}
