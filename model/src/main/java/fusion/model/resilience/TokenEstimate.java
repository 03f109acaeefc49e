package fusion.model.resilience;

import fusion.model.ChatMessage;
import fusion.model.ChatRequest;

/**
 * A call's tokens before it is sent, for the tokens-per-minute bucket: about four characters a
 * token plus a few per message for the chat framing, plus the completion budget (providers count
 * {@code max_completion_tokens} against the limit up front too). The response's usage corrects it.
 */
final class TokenEstimate {
    /** Completion budget assumed when the request sets none. */
    static final long DEFAULT_COMPLETION_TOKENS = 1_024;
    private static final int CHARS_PER_TOKEN = 4;
    private static final int TOKENS_PER_MESSAGE = 4;

    private TokenEstimate() {}

    static long of(ChatRequest request) {
        long chars = 0;
        for (ChatMessage m : request.messages()) chars += m.content().length();
        long prompt = (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN + (long) TOKENS_PER_MESSAGE * request.messages().size();
        long completion = request.maxCompletionTokens() != null ? request.maxCompletionTokens() : DEFAULT_COMPLETION_TOKENS;
        return prompt + Math.max(0, completion);
    }
}
