package fusion.model;

/** Token counts and cost of one call; cost is null when the provider does not report it. */
public record Usage(long promptTokens, long completionTokens, long reasoningTokens, Double cost) {
    public static final Usage NONE = new Usage(0, 0, 0, null);
}
