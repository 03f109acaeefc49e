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
 * @param serverTools    web tools the model may use ({@code web_search}, {@code web_fetch}): run by the provider where it runs
 *                       server tools, else by our own tool loop ({@code fusion.model.tools.ToolLoop})
 * @param maxToolCalls   how many tool steps the model may take before it must answer (the spec's {@code max_tool_calls}); null:
 *                       the provider's default
 * @param functionTools  web tools offered as OpenAI function tools, for our own loop to run; empty on every call outside it
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
        List<String> serverTools,
        Integer maxToolCalls,
        List<String> functionTools) {

    public ChatRequest {
        Objects.requireNonNull(model, "model");
        messages = List.copyOf(messages);
        serverTools = serverTools == null ? List.of() : List.copyOf(serverTools);
        functionTools = functionTools == null ? List.of() : List.copyOf(functionTools);
    }

    public ChatRequest(String model, List<ChatMessage> messages, Double temperature, Integer maxCompletionTokens, String reasoningEffort,
                       Integer reasoningMaxTokens, JsonNode responseFormat, int fusionDepth, List<String> serverTools) {
        this(model, messages, temperature, maxCompletionTokens, reasoningEffort, reasoningMaxTokens, responseFormat, fusionDepth,
                serverTools, null, List.of());
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
                fusionDepth, tools, maxToolCalls, functionTools);
    }

    /** The web tools and the bound on tool steps, as the request asked for them. */
    public ChatRequest withTools(List<String> tools, Integer maxSteps) {
        return new ChatRequest(model, messages, temperature, maxCompletionTokens, reasoningEffort, reasoningMaxTokens, responseFormat,
                fusionDepth, tools, maxSteps, functionTools);
    }

    /** One step of our own tool loop: this conversation so far, {@code offered} as function tools, no server tools. */
    public ChatRequest loopStep(List<ChatMessage> conversation, List<String> offered) {
        return new ChatRequest(model, conversation, temperature, maxCompletionTokens, reasoningEffort, reasoningMaxTokens, responseFormat,
                fusionDepth, List.of(), null, offered);
    }

    public ChatRequest withTemperature(Double t) {
        return new ChatRequest(model, messages, t, maxCompletionTokens, reasoningEffort, reasoningMaxTokens, responseFormat, fusionDepth,
                serverTools, maxToolCalls, functionTools);
    }

    public ChatRequest withMaxCompletionTokens(Integer n) {
        return new ChatRequest(model, messages, temperature, n, reasoningEffort, reasoningMaxTokens, responseFormat, fusionDepth,
                serverTools, maxToolCalls, functionTools);
    }

    public ChatRequest withReasoning(String effort, Integer maxTokens) {
        return new ChatRequest(model, messages, temperature, maxCompletionTokens, effort, maxTokens, responseFormat, fusionDepth,
                serverTools, maxToolCalls, functionTools);
    }

    public ChatRequest withResponseFormat(JsonNode format) {
        return new ChatRequest(model, messages, temperature, maxCompletionTokens, reasoningEffort, reasoningMaxTokens, format, fusionDepth,
                serverTools, maxToolCalls, functionTools);
    }
}
