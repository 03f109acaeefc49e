package fusion.model.batch;

import fusion.model.ChatOutcome;
import fusion.model.Usage;
import java.util.Map;

/**
 * What a batch line cost: {@code usage.cost} where the provider reported it (already at the batch price), else the
 * synchronous price from {@code prices} times {@code discount} ({@code fusion.batch.discount}, default 0.5).
 */
public record BatchCost(Prices prices, double discount) {
    public static final String DISCOUNT_PROPERTY = "fusion.batch.discount";
    public static final double DEFAULT_DISCOUNT = 0.5;

    /** The price table hook: a call's synchronous cost in USD, or null when the model has no price here. */
    @FunctionalInterface
    public interface Prices {
        Double syncCost(String model, Usage usage);

        Prices NONE = (model, usage) -> null;
    }

    public BatchCost {
        prices = prices == null ? Prices.NONE : prices;
        if (!(discount > 0 && discount <= 1)) {
            throw new IllegalArgumentException(DISCOUNT_PROPERTY + " is " + discount + "; it must be a fraction above 0 and at most 1 (0.5 is half price)");
        }
    }

    /** Reported costs only; no price table. */
    public static final BatchCost REPORTED_ONLY = new BatchCost(Prices.NONE, DEFAULT_DISCOUNT);

    public static BatchCost fromProperties(Map<String, String> properties, Prices prices) {
        String v = properties.get(DISCOUNT_PROPERTY);
        if (v == null || v.isBlank()) return new BatchCost(prices, DEFAULT_DISCOUNT);
        try {
            return new BatchCost(prices, Double.parseDouble(v.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(DISCOUNT_PROPERTY + " is '" + v + "'; it must be a fraction such as 0.5");
        }
    }

    /** The outcome with its cost filled in from the price table when the provider reported none. */
    public ChatOutcome priced(ChatOutcome outcome) {
        Usage u = outcome.usage();
        if (u.cost() != null || (u.promptTokens() == 0 && u.completionTokens() == 0)) return outcome;
        Double sync = prices.syncCost(outcome.model(), u);
        return sync == null ? outcome : outcome.withUsage(new Usage(u.promptTokens(), u.completionTokens(), u.reasoningTokens(), sync * discount));
    }

    /** What the same call would have cost synchronously, or null when unknown: for "the batch saved" in a summary. */
    public Double syncCost(ChatOutcome outcome) {
        Double sync = prices.syncCost(outcome.model(), outcome.usage());
        if (sync != null) return sync;
        return outcome.usage().cost() == null ? null : outcome.usage().cost() / discount;
    }
}
