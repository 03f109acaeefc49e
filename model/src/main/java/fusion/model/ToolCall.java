package fusion.model;

import java.util.Objects;

/**
 * One function call a model asked for in its answer ({@code tool_calls[]} of an OpenAI chat completion).
 *
 * @param id        the model's id of the call; its {@code role: tool} answer names it as {@code tool_call_id}
 * @param arguments the arguments as the model wrote them: a JSON object in a string, maybe malformed
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        arguments = arguments == null ? "" : arguments;
    }
}
