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
 * @param serverTools    web tools the model may use ({@code web_search}, {@code web_fetch}), run by the provider
 */
public record ChatRequest(
        String model,
        List<ChatMessage> messages,
        Double temperature,
        Integer maxCompletionTokens,
        String reasoningEffort,
        Integer reasoningMaxTokens,
        JsonNode responseFormat,
        int fusionDepth,
        List<String> serverTools) {

    public ChatRequest {
        Objects.requireNonNull(model, "model");
        messages = List.copyOf(messages);
        serverTools = serverTools == null ? List.of() : List.copyOf(serverTools);
    }

    public ChatRequest(String model, List<ChatMessage> messages, Double temperature, Integer maxCompletionTokens, String reasoningEffort,
                       Integer reasoningMaxTokens, JsonNode responseFormat, int fusionDepth) {
        this(model, messages, temperature, maxCompletionTokens, reasoningEffort, reasoningMaxTokens, responseFormat, fusionDepth, List.of());
    }

    public static ChatRequest of(String model, List<ChatMessage> messages) {
        return new ChatRequest(model, messages, null, null, null, null, null, 1);
    }

    public ChatRequest withServerTools(List<String> tools) {
        return new ChatRequest(model, messages, temperature, maxCompletionTokens, reasoningEffort, reasoningMaxTokens, responseFormat,
                fusionDepth, tools);
    }

    public ChatRequest withTemperature(Double t) {
        return new ChatRequest(model, messages, t, maxCompletionTokens, reasoningEffort, reasoningMaxTokens, responseFormat, fusionDepth, serverTools);
    }

    public ChatRequest withMaxCompletionTokens(Integer n) {
        return new ChatRequest(model, messages, temperature, n, reasoningEffort, reasoningMaxTokens, responseFormat, fusionDepth, serverTools);
    }

    public ChatRequest withReasoning(String effort, Integer maxTokens) {
        return new ChatRequest(model, messages, temperature, maxCompletionTokens, effort, maxTokens, responseFormat, fusionDepth, serverTools);
    }

    public ChatRequest withResponseFormat(JsonNode format) {
        return new ChatRequest(model, messages, temperature, maxCompletionTokens, reasoningEffort, reasoningMaxTokens, format, fusionDepth, serverTools);
    }
}
