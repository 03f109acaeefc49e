package fusion.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;

/**
 * One chat-completions call. Nullable fields are left out of the wire body, so the provider's
 * default applies.
 *
 * @param responseFormat an OpenAI {@code response_format} object (structured output), or null
 * @param fusionDepth    sent as the fusion depth header, so an inner call can never start fusion again
 */
public record ChatRequest(
        String model,
        List<ChatMessage> messages,
        Double temperature,
        Integer maxCompletionTokens,
        String reasoningEffort,
        Integer reasoningMaxTokens,
        JsonNode responseFormat,
        int fusionDepth) {

    public ChatRequest {
        Objects.requireNonNull(model, "model");
        messages = List.copyOf(messages);
    }

    public static ChatRequest of(String model, List<ChatMessage> messages) {
        return new ChatRequest(model, messages, null, null, null, null, null, 1);
    }

    public ChatRequest withTemperature(Double t) {
        return new ChatRequest(model, messages, t, maxCompletionTokens, reasoningEffort, reasoningMaxTokens, responseFormat, fusionDepth);
    }

    public ChatRequest withMaxCompletionTokens(Integer n) {
        return new ChatRequest(model, messages, temperature, n, reasoningEffort, reasoningMaxTokens, responseFormat, fusionDepth);
    }

    public ChatRequest withReasoning(String effort, Integer maxTokens) {
        return new ChatRequest(model, messages, temperature, maxCompletionTokens, effort, maxTokens, responseFormat, fusionDepth);
    }

    public ChatRequest withResponseFormat(JsonNode format) {
        return new ChatRequest(model, messages, temperature, maxCompletionTokens, reasoningEffort, reasoningMaxTokens, format, fusionDepth);
    }
}
