package fusion.model.resilience;

/**
 * What one provider lets us do. The per-minute rates are enforced as one second's share at a
 * time (a 600/min limit lets 10 calls start at once, then one every 100 ms), which is also how
 * providers such as OpenAI enforce them.
 *
 * @param maxInFlight       calls sent and not yet answered, at most; more wait in a queue
 * @param requestsPerMinute calls started per minute, 0 = unlimited
 * @param tokensPerMinute   estimated tokens (prompt + max completion) per minute, 0 = unlimited
 */
public record ProviderLimits(int maxInFlight, long requestsPerMinute, long tokensPerMinute) {
    public static final ProviderLimits DEFAULT = new ProviderLimits(256, 0, 0);

    public ProviderLimits {
        if (maxInFlight < 1) throw new IllegalArgumentException("maxInFlight must be at least 1: " + maxInFlight);
        if (requestsPerMinute < 0 || tokensPerMinute < 0) {
            throw new IllegalArgumentException("per-minute limits must not be negative: " + requestsPerMinute + ", " + tokensPerMinute);
        }
    }
}
