package fusion.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The parts of a chat-completions response body the pipeline uses.
 *
 * @param error an error object the provider put inside a 200 body (top level or in the first choice), or null
 */
record ChatCompletionResponse(
        String content, String reasoning, Usage usage, String finishReason, List<String> sources, JsonNode error,
        List<ToolCall> toolCalls) {

    ChatCompletionResponse(String content, String reasoning, Usage usage, String finishReason, List<String> sources, JsonNode error) {
        this(content, reasoning, usage, finishReason, sources, error, List.of());
    }

    /** Thrown when the body is JSON but not a chat completion. */
    static final class NotACompletion extends Exception {
        NotACompletion(String message) {
            super(message);
        }
    }

    static ChatCompletionResponse parse(JsonNode root) throws NotACompletion {
        if (root == null || !root.isObject()) throw new NotACompletion("response body is not a JSON object");
        Usage usage = usage(root.path("usage"));
        JsonNode topError = root.get("error");
        if (topError != null && !topError.isNull()) {
            return new ChatCompletionResponse(null, null, usage, null, List.of(), topError);
        }
        JsonNode choices = root.path("choices");
        if (!choices.isArray() || choices.isEmpty()) throw new NotACompletion("response has no choices");
        JsonNode choice = choices.get(0);
        String finishReason = textOrNull(choice.path("finish_reason"));
        JsonNode choiceError = choice.get("error");
        if (choiceError != null && !choiceError.isNull()) {
            return new ChatCompletionResponse(null, null, usage, finishReason, List.of(), choiceError);
        }
        JsonNode message = choice.path("message");
        if (!message.isObject()) throw new NotACompletion("first choice has no message");
        String reasoning = textOrNull(message.path("reasoning"));
        if (reasoning == null || reasoning.isBlank()) reasoning = textOrNull(message.path("reasoning_content"));
        if (reasoning != null && reasoning.isBlank()) reasoning = null;
        return new ChatCompletionResponse(
                content(message.path("content")), reasoning, usage, finishReason, sources(message.path("annotations")), null,
                toolCalls(message.path("tool_calls")));
    }

    /** Function calls the model asked for; a call without an id or a function name cannot be answered, so it is left out. */
    private static List<ToolCall> toolCalls(JsonNode calls) {
        if (!calls.isArray()) return List.of();
        List<ToolCall> out = new ArrayList<>();
        for (JsonNode c : calls) {
            String id = textOrNull(c.path("id"));
            String name = textOrNull(c.path("function").path("name"));
            if (id == null || name == null) continue;
            JsonNode args = c.path("function").path("arguments");
            out.add(new ToolCall(id, name, args.isTextual() ? args.textValue() : args.isMissingNode() ? "" : args.toString()));
        }
        return out;
    }

    /** A string, or an array of content parts whose text parts are joined. */
    private static String content(JsonNode content) throws NotACompletion {
        if (content.isMissingNode() || content.isNull()) return null;
        if (content.isTextual()) return content.textValue();
        if (!content.isArray()) throw new NotACompletion("message.content is neither a string nor an array of parts");
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            String type = textOrNull(part.path("type"));
            // other part types (images, Mistral's "thinking") are not answer text
            if ((type == null || type.equals("text")) && part.path("text").isTextual()) text.append(part.path("text").textValue());
        }
        return text.toString();
    }

    private static Usage usage(JsonNode usage) {
        if (!usage.isObject()) return Usage.NONE;
        JsonNode cost = usage.path("cost");
        return new Usage(
                usage.path("prompt_tokens").asLong(0),
                usage.path("completion_tokens").asLong(0),
                usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0),
                cost.isNumber() ? cost.doubleValue() : null,
                serverToolCalls(usage.path("server_tool_use")),
                null);
    }

    /**
     * OpenRouter's count of the tool calls it ran: {@code tool_calls_executed}, else those requested, else its web
     * searches (its docs: never sum web_search_requests with the others, they overlap).
     */
    private static long serverToolCalls(JsonNode use) {
        if (!use.isObject()) return 0;
        for (String field : List.of("tool_calls_executed", "tool_calls_requested", "web_search_requests")) {
            if (use.path(field).isNumber()) return use.path(field).asLong();
        }
        return 0;
    }

    /** URLs of {@code url_citation} annotations (web search results), first occurrence order, no duplicates. */
    private static List<String> sources(JsonNode annotations) {
        if (!annotations.isArray()) return List.of();
        Set<String> urls = new LinkedHashSet<>();
        for (JsonNode a : annotations) {
            String url = textOrNull(a.path("url_citation").path("url"));
            if (url != null && !url.isBlank()) urls.add(url);
        }
        return new ArrayList<>(urls);
    }

    private static String textOrNull(JsonNode node) {
        return node.isTextual() ? node.textValue() : null;
    }
}
