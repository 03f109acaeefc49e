package fusion.model;

/**
 * Token counts and cost of one call; cost is null when the provider does not report it.
 *
 * @param toolCalls web tool calls the call made: OpenRouter's {@code usage.server_tool_use}, or the calls our own tool loop ran
 * @param toolCost  what the model turns that asked for tools cost, in our own loop; null when unknown (and where OpenRouter ran
 *                  the tools, whose price is inside {@code cost} with no split reported). Part of {@code cost}, not on top of it
 */
public record Usage(long promptTokens, long completionTokens, long reasoningTokens, Double cost, long toolCalls, Double toolCost) {
    public static final Usage NONE = new Usage(0, 0, 0, null);

    public Usage(long promptTokens, long completionTokens, long reasoningTokens, Double cost) {
        this(promptTokens, completionTokens, reasoningTokens, cost, 0, null);
    }

    /** Both usages together: what two calls of one logical call came to. */
    public Usage plus(Usage other) {
        return new Usage(promptTokens + other.promptTokens, completionTokens + other.completionTokens,
                reasoningTokens + other.reasoningTokens, sum(cost, other.cost), toolCalls + other.toolCalls, sum(toolCost, other.toolCost));
    }

    /** The same usage, spent on a tool step: its cost counts as tool cost too, and {@code calls} tool calls were made. */
    public Usage asToolStep(int calls) {
        return new Usage(promptTokens, completionTokens, reasoningTokens, cost, toolCalls + calls, sum(toolCost, cost));
    }

    private static Double sum(Double a, Double b) {
        return a == null ? b : b == null ? a : Double.valueOf(a + b);
    }
}
