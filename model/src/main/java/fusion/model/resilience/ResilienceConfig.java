package fusion.model.resilience;

import fusion.model.ProviderConfigException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits, retries and circuit breaking for {@link ResilientChatClient}, read from properties.
 * Every key is optional; the defaults are:
 *
 * <pre>
 * fusion.provider.&lt;name&gt;.max-in-flight=256          calls in flight per provider; more wait in a queue
 * fusion.provider.&lt;name&gt;.requests-per-minute=0       0 = unlimited
 * fusion.provider.&lt;name&gt;.tokens-per-minute=0         0 = unlimited; a call counts chars/4 + max_completion_tokens
 * fusion.model.&lt;model-id&gt;.max-in-flight              per-model cap inside its provider's; default: the provider's
 * fusion.calls.patience-ms=600000                   how long a call goes on trying, from its first attempt: retries and
 *                                                    waits for an open circuit; then it fails with its last real failure
 * fusion.calls.retry.max-attempts=100                HTTP attempts per call, the first included; a cap, patience decides first
 * fusion.calls.retry.base-ms=500                     full-jitter backoff: random(0, min(max-backoff, base·2^n))
 * fusion.calls.retry.max-backoff-ms=30000
 * fusion.calls.retry.budget-ms                       deprecated: the former name of patience-ms, read when patience-ms is not set
 * fusion.calls.circuit.failure-rate=50               percent of counted attempts that opens a model's circuit
 * fusion.calls.circuit.min-calls=20                  attempts counted (the window) before the rate is judged
 * fusion.calls.circuit.open-ms=30000                 how long an open circuit holds its model's calls (they wait, unsent)
 * fusion.calls.circuit.half-open-calls=3             probes let through after that; they decide whether the waiting calls go
 * </pre>
 *
 * Before patience, a call stopped after 4 attempts or 300 s of retrying, and an open circuit failed
 * it at once with {@code circuit_open}: at a steady rate of transient faults that turned a batch
 * into failures. Now both only delay a call, within its patience.
 *
 * A model id is written into its key as is, dots, slashes and tildes included; the key is read as
 * everything between {@code fusion.model.} and the trailing {@code .max-in-flight}, e.g.
 * {@code fusion.model.anthropic/claude-opus-4.5.max-in-flight=4} or
 * {@code fusion.model.~google/gemini-flash-latest.max-in-flight=8}. (In a {@code .properties} file
 * only {@code :}, {@code =} and spaces would need escaping, and model ids have none.)
 */
public record ResilienceConfig(
        RetryPolicy retry,
        CircuitPolicy circuit,
        Map<String, ProviderLimits> providers,
        Map<String, Integer> modelMaxInFlight) {

    private static final Logger log = LoggerFactory.getLogger(ResilienceConfig.class);

    static final String PATIENCE = "fusion.calls.patience-ms";
    static final String RETRY_PREFIX = "fusion.calls.retry.";
    static final String DEPRECATED_BUDGET = RETRY_PREFIX + "budget-ms";
    static final String CIRCUIT_PREFIX = "fusion.calls.circuit.";
    static final String PROVIDER_PREFIX = "fusion.provider.";
    static final String MODEL_PREFIX = "fusion.model.";
    static final String MAX_IN_FLIGHT = "max-in-flight";
    static final String REQUESTS_PER_MINUTE = "requests-per-minute";
    static final String TOKENS_PER_MINUTE = "tokens-per-minute";

    private static final Set<String> RETRY_KEYS = Set.of("max-attempts", "base-ms", "max-backoff-ms", "budget-ms");
    private static final Set<String> CIRCUIT_KEYS = Set.of("failure-rate", "min-calls", "open-ms", "half-open-calls");
    private static final Set<String> PROVIDER_KEYS = Set.of(MAX_IN_FLIGHT, REQUESTS_PER_MINUTE, TOKENS_PER_MINUTE);

    public ResilienceConfig {
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(circuit, "circuit");
        providers = Map.copyOf(providers);
        modelMaxInFlight = Map.copyOf(modelMaxInFlight);
        modelMaxInFlight.forEach((model, limit) -> {
            if (limit < 1) throw new IllegalArgumentException("max in flight for " + model + " must be at least 1: " + limit);
        });
    }

    public static ResilienceConfig defaults() {
        return new ResilienceConfig(RetryPolicy.DEFAULT, CircuitPolicy.DEFAULT, Map.of(), Map.of());
    }

    public ProviderLimits limits(String provider) {
        return providers.getOrDefault(provider, ProviderLimits.DEFAULT);
    }

    public ResilienceConfig withRetry(RetryPolicy policy) {
        return new ResilienceConfig(policy, circuit, providers, modelMaxInFlight);
    }

    public ResilienceConfig withCircuit(CircuitPolicy policy) {
        return new ResilienceConfig(retry, policy, providers, modelMaxInFlight);
    }

    public ResilienceConfig withProvider(String provider, ProviderLimits limits) {
        Map<String, ProviderLimits> copy = new HashMap<>(providers);
        copy.put(provider, limits);
        return new ResilienceConfig(retry, circuit, copy, modelMaxInFlight);
    }

    public ResilienceConfig withModelMaxInFlight(String model, int limit) {
        Map<String, Integer> copy = new HashMap<>(modelMaxInFlight);
        copy.put(model, limit);
        return new ResilienceConfig(retry, circuit, providers, copy);
    }

    /**
     * Reads the keys above; other properties are ignored.
     *
     * @throws ProviderConfigException naming the property when a value is not a number in range,
     *                                 or a {@code fusion.calls.retry.*} / {@code fusion.calls.circuit.*} key is unknown
     */
    public static ResilienceConfig fromProperties(Map<String, String> properties) {
        Map<String, String> p = new TreeMap<>(); // sorted, so the first error reported is stable
        properties.forEach((k, v) -> {
            if (k != null && v != null) p.put(k, v.strip());
        });
        rejectUnknown(p, RETRY_PREFIX, RETRY_KEYS);
        rejectUnknown(p, CIRCUIT_PREFIX, CIRCUIT_KEYS);

        RetryPolicy d = RetryPolicy.DEFAULT;
        RetryPolicy retry = new RetryPolicy(
                (int) number(p, RETRY_PREFIX + "max-attempts", d.maxAttempts(), 1, 1_000),
                number(p, RETRY_PREFIX + "base-ms", d.baseMillis(), 0, Long.MAX_VALUE),
                number(p, RETRY_PREFIX + "max-backoff-ms", d.maxBackoffMillis(), 0, Long.MAX_VALUE),
                patience(p, d.patienceMillis()));
        CircuitPolicy c = CircuitPolicy.DEFAULT;
        CircuitPolicy circuit = new CircuitPolicy(
                (int) number(p, CIRCUIT_PREFIX + "failure-rate", c.failureRatePercent(), 1, 100),
                (int) number(p, CIRCUIT_PREFIX + "min-calls", c.minCalls(), 1, 100_000),
                number(p, CIRCUIT_PREFIX + "open-ms", c.openMillis(), 1, Long.MAX_VALUE),
                (int) number(p, CIRCUIT_PREFIX + "half-open-calls", c.halfOpenCalls(), 1, 100_000));

        Map<String, ProviderLimits> providers = new HashMap<>();
        Map<String, Integer> models = new HashMap<>();
        for (String key : p.keySet()) {
            if (key.startsWith(PROVIDER_PREFIX)) {
                String rest = key.substring(PROVIDER_PREFIX.length());
                int dot = rest.indexOf('.');
                if (dot > 0 && PROVIDER_KEYS.contains(rest.substring(dot + 1))) {
                    String name = rest.substring(0, dot);
                    providers.computeIfAbsent(name, n -> providerLimits(p, n));
                }
            } else if (key.startsWith(MODEL_PREFIX) && key.endsWith("." + MAX_IN_FLIGHT)) {
                String model = key.substring(MODEL_PREFIX.length(), key.length() - MAX_IN_FLIGHT.length() - 1);
                if (model.isBlank()) {
                    throw new ProviderConfigException(key + " names no model; write fusion.model.<model-id>.max-in-flight, "
                            + "e.g. fusion.model.anthropic/claude-opus-4.5.max-in-flight=4");
                }
                models.put(model, (int) number(p, key, 0, 1, Integer.MAX_VALUE));
            }
        }
        return new ResilienceConfig(retry, circuit, providers, models);
    }

    /** {@code patience-ms}, else its deprecated former name {@code retry.budget-ms}, else the default. */
    private static long patience(Map<String, String> p, long fallback) {
        boolean current = p.containsKey(PATIENCE) && !p.get(PATIENCE).isEmpty();
        boolean former = p.containsKey(DEPRECATED_BUDGET) && !p.get(DEPRECATED_BUDGET).isEmpty();
        if (former) {
            log.warn("{} is deprecated{}; set {} instead: how long a call goes on trying, retries and waits for an open circuit included",
                    DEPRECATED_BUDGET, current ? " and ignored, since " + PATIENCE + " is set" : "", PATIENCE);
        }
        return number(p, current || !former ? PATIENCE : DEPRECATED_BUDGET, fallback, 0, Long.MAX_VALUE);
    }

    private static ProviderLimits providerLimits(Map<String, String> p, String provider) {
        String prefix = PROVIDER_PREFIX + provider + ".";
        ProviderLimits d = ProviderLimits.DEFAULT;
        return new ProviderLimits(
                (int) number(p, prefix + MAX_IN_FLIGHT, d.maxInFlight(), 1, Integer.MAX_VALUE),
                number(p, prefix + REQUESTS_PER_MINUTE, d.requestsPerMinute(), 0, Long.MAX_VALUE),
                number(p, prefix + TOKENS_PER_MINUTE, d.tokensPerMinute(), 0, Long.MAX_VALUE));
    }

    private static void rejectUnknown(Map<String, String> p, String prefix, Set<String> known) {
        for (String key : p.keySet()) {
            if (key.startsWith(prefix) && !known.contains(key.substring(prefix.length()))) {
                throw new ProviderConfigException("unknown property " + key + "; known settings under " + prefix + " are "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private static long number(Map<String, String> p, String key, long fallback, long min, long max) {
        String text = p.get(key);
        if (text == null || text.isEmpty()) return fallback;
        long value;
        try {
            value = Long.parseLong(text.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new ProviderConfigException(key + "='" + text + "' is not a whole number" + range(min, max));
        }
        if (value < min || value > max) throw new ProviderConfigException(key + "=" + value + " is out of range" + range(min, max));
        return value;
    }

    private static String range(long min, long max) {
        return max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? "; use a number ≥ " + min : "; use a number from " + min + " to " + max;
    }
}
