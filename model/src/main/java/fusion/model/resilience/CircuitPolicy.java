package fusion.model.resilience;

/**
 * When a model's circuit opens and how it recovers. Counted over the model's last
 * {@code minCalls} attempts; only failures that say the model is unwell count (server errors,
 * overload, timeouts, network errors, unreadable answers), never client errors or rate limits.
 *
 * @param failureRatePercent the circuit opens when at least this share of the counted attempts failed
 * @param minCalls           attempts counted before the rate is judged (and the size of the window)
 * @param openMillis         how long an open circuit fails calls fast before it lets probes through
 * @param halfOpenCalls      probe attempts let through after that; their failure rate decides between closed and open again
 */
public record CircuitPolicy(int failureRatePercent, int minCalls, long openMillis, int halfOpenCalls) {
    public static final CircuitPolicy DEFAULT = new CircuitPolicy(50, 20, 30_000, 3);

    public CircuitPolicy {
        if (failureRatePercent < 1 || failureRatePercent > 100) {
            throw new IllegalArgumentException("failureRatePercent must be 1..100: " + failureRatePercent);
        }
        if (minCalls < 1) throw new IllegalArgumentException("minCalls must be at least 1: " + minCalls);
        if (openMillis < 1) throw new IllegalArgumentException("openMillis must be at least 1: " + openMillis);
        if (halfOpenCalls < 1) throw new IllegalArgumentException("halfOpenCalls must be at least 1: " + halfOpenCalls);
    }
}
