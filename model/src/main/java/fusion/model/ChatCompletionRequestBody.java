package fusion.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The JSON body of {@code POST /chat/completions}. Unset request fields are left out so the provider's default applies. */
final class ChatCompletionRequestBody {
    private ChatCompletionRequestBody() {}

    static ObjectNode of(ChatRequest request, ProviderConfig provider, ObjectMapper json) {
        ObjectNode body = json.createObjectNode();
        body.put("model", provider.wireModel(request.model()));
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage m : request.messages()) message(messages.addObject(), m);
        if (request.temperature() != null) body.put("temperature", request.temperature());
        if (request.maxCompletionTokens() != null) body.put("max_completion_tokens", request.maxCompletionTokens());
        if (request.reasoningEffort() != null || request.reasoningMaxTokens() != null) {
            ObjectNode reasoning = body.putObject("reasoning");
            if (request.reasoningEffort() != null) reasoning.put("effort", request.reasoningEffort());
            if (request.reasoningMaxTokens() != null) reasoning.put("max_tokens", request.reasoningMaxTokens());
        }
        // endpoints without json_schema support reject the whole call, so only send it where it is known to work
        if (provider.structuredOutput() && request.responseFormat() != null && !request.responseFormat().isNull()) {
            body.set("response_format", request.responseFormat());
        }
        if (provider.serverTools() && !request.serverTools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            request.serverTools().forEach(t -> tools.addObject().put("type", "openrouter:" + t));
            // OpenRouter's own default is 30 steps; the spec's bound (1-16, default 8) must reach the call
            if (request.maxToolCalls() != null) body.put("max_tool_calls", request.maxToolCalls());
        } else if (!request.functionTools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            request.functionTools().forEach(t -> tools.add(WebFunctions.definition(t, json)));
        }
        return body;
    }

    private static void message(ObjectNode out, ChatMessage m) {
        out.put("role", m.role());
        if (m.toolCalls().isEmpty()) {
            out.put("content", m.content());
        } else {
            // OpenAI wants null, not "", beside tool_calls; some servers reject an empty string there
            if (m.content().isEmpty()) out.putNull("content"); else out.put("content", m.content());
            ArrayNode calls = out.putArray("tool_calls");
            for (ToolCall c : m.toolCalls()) {
                ObjectNode call = calls.addObject().put("id", c.id()).put("type", "function");
                call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
            }
        }
        if (m.toolCallId() != null) out.put("tool_call_id", m.toolCallId());
    }
}
