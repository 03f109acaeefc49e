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
        for (ChatMessage m : request.messages()) {
            messages.addObject().put("role", m.role()).put("content", m.content());
        }
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
        }
        return body;
    }
}
