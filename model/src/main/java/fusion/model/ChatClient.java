package fusion.model;

import java.util.concurrent.CompletableFuture;

/** Calls a chat-completions model asynchronously. */
public interface ChatClient extends AutoCloseable {
    /**
     * Starts the call and returns at once. The future always completes normally, with a
     * successful or a failed {@link ChatOutcome}; it never completes exceptionally.
     */
    CompletableFuture<ChatOutcome> complete(ChatRequest request);

    @Override
    default void close() {}
}
