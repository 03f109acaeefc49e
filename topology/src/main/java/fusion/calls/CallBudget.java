package fusion.calls;

import fusion.model.ChatOutcome;
import fusion.model.Usage;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the calls of this instance may cost. Each finished call adds its cost: the provider's
 * {@code usage.cost} (OpenRouter reports it), or else tokens times the configured price. Once the
 * spend reaches the limit no new call starts; calls already in flight finish (and are paid for).
 */
public final class CallBudget {
    private final Double maxCost;
    private final Map<String, double[]> pricePerMillion;
    private final DoubleAdder spent = new DoubleAdder();
    private final DoubleAdder spentHere = new DoubleAdder();
    private final LongAdder callsHere = new LongAdder();

    /**
     * @param maxCost         USD, or null for no limit
     * @param pricePerMillion model → {input, output} USD per million tokens, for providers that report no cost
     */
    public CallBudget(Double maxCost, Map<String, double[]> pricePerMillion) {
        if (maxCost != null && !(maxCost >= 0)) {
            throw new IllegalArgumentException("--max-cost (fusion.max-cost-usd) must be a number of USD ≥ 0, got " + maxCost);
        }
        this.maxCost = maxCost;
        this.pricePerMillion = Map.copyOf(pricePerMillion);
    }

    public static CallBudget unlimited() {
        return new CallBudget(null, Map.of());
    }

    /**
     * Prices from {@code fusion.price.<model-id>.input-per-mtok} and {@code .output-per-mtok}
     * (USD per million tokens); the model id is everything between the prefix and the suffix.
     */
    public static Map<String, double[]> prices(Map<String, String> properties) {
        Map<String, double[]> out = new ConcurrentHashMap<>();
        properties.forEach((key, value) -> {
            if (!key.startsWith("fusion.price.")) return;
            int side = key.endsWith(".input-per-mtok") ? 0 : key.endsWith(".output-per-mtok") ? 1 : -1;
            if (side < 0) {
                throw new IllegalArgumentException(key + " is not a price; write fusion.price.<model-id>.input-per-mtok or .output-per-mtok");
            }
            String model = key.substring("fusion.price.".length(), key.lastIndexOf('.'));
            try {
                out.computeIfAbsent(model, m -> new double[2])[side] = Double.parseDouble(value.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " is '" + value + "'; it must be USD per million tokens, e.g. 3.0");
            }
        });
        return out;
    }

    public boolean limited() {
        return maxCost != null;
    }

    public boolean exhausted() {
        return maxCost != null && spent.sum() >= maxCost;
    }

    /**
     * Adds a finished call's cost, and returns the call with that cost in its usage: priced from the
     * table when the provider reported none. So results, summaries and the limit count the same cost.
     */
    public ChatOutcome record(ChatOutcome outcome) {
        ChatOutcome priced = priced(outcome);
        double usd = priced.usage().cost() == null ? 0 : priced.usage().cost();
        spent.add(usd);
        spentHere.add(usd);
        callsHere.increment();
        return priced;
    }

    /** Counts spend from an earlier run of the same job, so a resumed run keeps to the same limit. */
    public void alreadySpent(double usd) {
        spent.add(usd);
    }

    /** The call with its cost: the provider's {@code usage.cost}, else tokens times the configured price, else none. */
    ChatOutcome priced(ChatOutcome outcome) {
        Usage u = outcome.usage();
        double[] price = pricePerMillion.get(outcome.model());
        if (u.cost() != null || price == null) return outcome;
        double usd = (u.promptTokens() * price[0] + (u.completionTokens() + u.reasoningTokens()) * price[1]) / 1e6;
        return outcome.withUsage(new Usage(u.promptTokens(), u.completionTokens(), u.reasoningTokens(), usd));
    }

    /** Everything counted against the limit, earlier runs' spend included. */
    public double spent() {
        return spent.sum();
    }

    /** What calls made by this process cost; a resumed run's figure leaves out what earlier runs paid. */
    public double spentByThisProcess() {
        return spentHere.sum();
    }

    /** Calls this process made (sent and answered, or failed after sending). */
    public long callsByThisProcess() {
        return callsHere.sum();
    }

    public String describe() {
        return maxCost == null ? "no cost limit" : String.format(Locale.ROOT, "$%.4f of $%.4f spent", spent(), maxCost);
    }
}
