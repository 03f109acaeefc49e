package fusion.model.tools;

import fusion.model.ChatClient;
import fusion.model.ChatMessage;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.ToolCall;
import fusion.model.Usage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A model whose every turn is a function of the request it gets; it keeps the requests, as a provider's log would. */
final class ScriptedModel implements ChatClient {
    final List<ChatRequest> received = new CopyOnWriteArrayList<>();
    private final Function<ChatRequest, ChatOutcome> script;

    ScriptedModel(Function<ChatRequest, ChatOutcome> script) {
        this.script = script;
    }

    @Override
    public CompletableFuture<ChatOutcome> complete(ChatRequest request) {
        received.add(request);
        return CompletableFuture.completedFuture(script.apply(request));
    }

    /** Turns that asked for tools so far in this conversation. */
    static long toolTurns(ChatRequest request) {
        return request.messages().stream().filter(m -> !m.toolCalls().isEmpty()).count();
    }

    static ChatOutcome answer(ChatRequest request, String content) {
        return new ChatOutcome(request.model(), content, null, new Usage(10, 5, 0, 0.001), 1, 200, null, null, "stop", List.of(), 1,
                null, null);
    }

    static ChatOutcome asks(ChatRequest request, ToolCall... calls) {
        return new ChatOutcome(request.model(), "", null, new Usage(10, 5, 0, 0.002), 1, 200, null, null, "tool_calls", List.of(), 1,
                null, null, Map.of(), 0, 1, List.of(calls));
    }

    static ToolCall fetch(String id, String url) {
        return new ToolCall(id, "web_fetch", "{\"url\": \"" + url + "\"}");
    }

    static ToolCall search(String id, String query) {
        return new ToolCall(id, "web_search", "{\"query\": \"" + query + "\"}");
    }

    static List<ChatMessage> toolMessages(ChatRequest request) {
        return request.messages().stream().filter(m -> m.role().equals("tool")).toList();
    }
}
