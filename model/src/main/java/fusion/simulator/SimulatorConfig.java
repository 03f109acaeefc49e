package fusion.simulator;

import java.nio.file.Path;
import java.util.Map;

/**
 * How the simulator behaves. Failure rates are fractions of attempts (0 to 1), drawn
 * deterministically per (model, request body, attempt number): the simulator counts how many times
 * in a row it has received the same body for the same model, so a retry meets a fresh draw and can
 * succeed, while a run repeated from scratch meets the same fates in the same order. (Before, the
 * draw was per (model, prompt) only, so a retry always met the fault of its first attempt.)
 *
 * @param requireKey     when set ({@code fusion.simulator.require-key}), a call without
 *                       {@code Authorization: Bearer <requireKey>} is answered 401, as a provider answers a missing or wrong key
 * @param latencyMs      time to answer a call
 * @param jitterMs       uniform ± spread around the latency
 * @param timeoutHangMs  how long a "timeout" call hangs before the server finally answers
 * @param requestLog     when set, one JSON line per call received (model, call hash, time, last user message)
 * @param models         per model id, its own behaviour: {@code fusion.simulator.model.<id>.latency-ms} (and
 *                       {@code jitter-ms}, {@code timeout-hang-ms}, {@code failure.*}) over the settings above
 */
public record SimulatorConfig(
        long latencyMs,
        long jitterMs,
        long seed,
        int port,
        long timeoutHangMs,
        Path requestLog,
        double rateLimitedRate,
        double creditsRate,
        double serverErrorRate,
        double timeoutRate,
        double garbageRate,
        double emptyRate,
        String requireKey,
        Map<String, SimulatorConfig> models) {

    public static final String PREFIX = "fusion.simulator.";
    /** What {@code fusion.simulator.model.<id>.} may set, per model. */
    private static final java.util.List<String> PER_MODEL = java.util.List.of("latency-ms", "jitter-ms", "timeout-hang-ms",
            "failure.rate-limited", "failure.credits", "failure.server-error", "failure.timeout", "failure.garbage", "failure.empty");

    public SimulatorConfig {
        models = models == null ? Map.of() : Map.copyOf(models);
    }

    /** How the simulator answers calls for {@code model}: its own settings where it has them, else these. */
    public SimulatorConfig forModel(String model) {
        return models.getOrDefault(model, this);
    }

    public static SimulatorConfig defaults() {
        return fromProperties(Map.of());
    }

    public SimulatorConfig withLatency(long latency, long jitter) {
        return new SimulatorConfig(latency, jitter, seed, port, timeoutHangMs, requestLog, rateLimitedRate, creditsRate,
                serverErrorRate, timeoutRate, garbageRate, emptyRate, requireKey,
                models.isEmpty() ? models : withLatencyEach(latency, jitter));
    }

    /** The per-model settings keep their own latency; a model with none set takes the new one. */
    private Map<String, SimulatorConfig> withLatencyEach(long latency, long jitter) {
        Map<String, SimulatorConfig> out = new java.util.HashMap<>();
        models.forEach((id, m) -> out.put(id, m.latencyMs == latencyMs && m.jitterMs == jitterMs
                ? new SimulatorConfig(latency, jitter, m.seed, m.port, m.timeoutHangMs, m.requestLog, m.rateLimitedRate, m.creditsRate,
                        m.serverErrorRate, m.timeoutRate, m.garbageRate, m.emptyRate, m.requireKey, Map.of())
                : m));
        return out;
    }

    /** Never prints the key it requires. */
    @Override
    public String toString() {
        return "SimulatorConfig[latencyMs=" + latencyMs + ", jitterMs=" + jitterMs + ", seed=" + seed + ", port=" + port
                + ", timeoutHangMs=" + timeoutHangMs + ", requestLog=" + requestLog + ", rateLimitedRate=" + rateLimitedRate
                + ", creditsRate=" + creditsRate + ", serverErrorRate=" + serverErrorRate + ", timeoutRate=" + timeoutRate
                + ", garbageRate=" + garbageRate + ", emptyRate=" + emptyRate + ", requireKey=" + (requireKey == null ? "none" : "***")
                + (models.isEmpty() ? "" : ", models=" + new java.util.TreeMap<>(models).keySet()) + "]";
    }

    public static SimulatorConfig fromProperties(Map<String, String> p) {
        String log = p.get(PREFIX + "request-log");
        String key = p.get(PREFIX + "require-key");
        SimulatorConfig c = new SimulatorConfig(
                millis(p, "latency-ms", 200),
                millis(p, "jitter-ms", 0),
                whole(p, "seed", 42),
                (int) whole(p, "port", 0),
                millis(p, "timeout-hang-ms", 120_000),
                log == null || log.isBlank() ? null : Path.of(log.strip()),
                rate(p, "failure.rate-limited"),
                rate(p, "failure.credits"),
                rate(p, "failure.server-error"),
                rate(p, "failure.timeout"),
                rate(p, "failure.garbage"),
                rate(p, "failure.empty"),
                key == null || key.isBlank() ? null : key.strip(),
                perModel(p));
        double total = c.rateLimitedRate + c.creditsRate + c.serverErrorRate + c.timeoutRate + c.garbageRate + c.emptyRate;
        if (total > 1.0 + 1e-9) {
            throw new IllegalArgumentException(PREFIX + "failure.* rates add up to " + total + "; together they must be at most 1");
        }
        if (c.port < 0 || c.port > 65535) {
            throw new IllegalArgumentException(PREFIX + "port is " + c.port + "; it must be between 0 (any free port) and 65535");
        }
        return c;
    }

    /** Each model's settings over the common ones: {@code fusion.simulator.model.sim/slow.latency-ms=30000}. */
    private static Map<String, SimulatorConfig> perModel(Map<String, String> p) {
        String prefix = PREFIX + "model.";
        Map<String, Map<String, String>> byModel = new java.util.TreeMap<>();
        p.forEach((k, v) -> {
            if (!k.startsWith(prefix)) return;
            String rest = k.substring(prefix.length());
            String setting = PER_MODEL.stream().filter(s -> rest.endsWith("." + s)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                    k + " is not a per-model setting; write " + prefix + "<model id>.<setting>, the setting one of " + PER_MODEL));
            String model = rest.substring(0, rest.length() - setting.length() - 1);
            if (model.isBlank()) throw new IllegalArgumentException(k + " names no model; write " + prefix + "<model id>." + setting);
            byModel.computeIfAbsent(model, m -> new java.util.HashMap<>()).put(PREFIX + setting, v);
        });
        if (byModel.isEmpty()) return Map.of();
        Map<String, String> common = new java.util.HashMap<>();
        p.forEach((k, v) -> {
            if (!k.startsWith(prefix)) common.put(k, v);
        });
        Map<String, SimulatorConfig> out = new java.util.HashMap<>();
        byModel.forEach((model, own) -> {
            Map<String, String> merged = new java.util.HashMap<>(common);
            merged.putAll(own);
            try {
                out.put(model, fromProperties(merged));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("for model " + model + " (" + prefix + model + ".*): " + e.getMessage(), e);
            }
        });
        return out;
    }

    private static long millis(Map<String, String> p, String key, long fallback) {
        long v = whole(p, key, fallback);
        if (v < 0) throw new IllegalArgumentException(PREFIX + key + " is " + v + "; it must be a whole number of milliseconds ≥ 0");
        return v;
    }

    private static long whole(Map<String, String> p, String key, long fallback) {
        String v = p.get(PREFIX + key);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PREFIX + key + " is '" + v + "'; it must be a whole number");
        }
    }

    private static double rate(Map<String, String> p, String key) {
        String v = p.get(PREFIX + key);
        if (v == null || v.isBlank()) return 0;
        double d;
        try {
            d = Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PREFIX + key + " is '" + v + "'; it must be a fraction between 0 and 1");
        }
        if (!(d >= 0 && d <= 1)) {
            throw new IllegalArgumentException(PREFIX + key + " is " + v + "; it must be a fraction between 0 and 1");
        }
        return d;
    }
}
