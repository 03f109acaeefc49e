package fusion.model;

import java.util.List;
import java.util.Objects;

/**
 * One message of a chat-completions conversation.
 *
 * @param toolCalls  on an assistant message: the tools it asked for (empty otherwise)
 * @param toolCallId on a {@code role: tool} message: the call it answers (null otherwise)
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        // an assistant turn that only called tools has no text; keep "" so every reader may use content()
        content = content == null && !toolCalls.isEmpty() ? "" : content;
        Objects.requireNonNull(content, "content");
    }

    public ChatMessage(String role, String content) {
        this(role, content, List.of(), null);
    }

    public static ChatMessage system(String content) { return new ChatMessage("system", content); }

    public static ChatMessage user(String content) { return new ChatMessage("user", content); }

    /** The model's turn that asked for {@code calls}, as it goes back in the conversation. */
    public static ChatMessage toolRequest(String content, List<ToolCall> calls) {
        return new ChatMessage("assistant", content == null ? "" : content, calls, null);
    }

    /** What a tool gave, answering the call {@code toolCallId}. */
    public static ChatMessage toolResult(String toolCallId, String content) {
        return new ChatMessage("tool", content, List.of(), Objects.requireNonNull(toolCallId, "toolCallId"));
    }
}
