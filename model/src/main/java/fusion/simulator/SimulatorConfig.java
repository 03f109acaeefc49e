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
        String requireKey) {

    public static final String PREFIX = "fusion.simulator.";

    public static SimulatorConfig defaults() {
        return fromProperties(Map.of());
    }

    public SimulatorConfig withLatency(long latency, long jitter) {
        return new SimulatorConfig(latency, jitter, seed, port, timeoutHangMs, requestLog, rateLimitedRate, creditsRate,
                serverErrorRate, timeoutRate, garbageRate, emptyRate, requireKey);
    }

    /** Never prints the key it requires. */
    @Override
    public String toString() {
        return "SimulatorConfig[latencyMs=" + latencyMs + ", jitterMs=" + jitterMs + ", seed=" + seed + ", port=" + port
                + ", timeoutHangMs=" + timeoutHangMs + ", requestLog=" + requestLog + ", rateLimitedRate=" + rateLimitedRate
                + ", creditsRate=" + creditsRate + ", serverErrorRate=" + serverErrorRate + ", timeoutRate=" + timeoutRate
                + ", garbageRate=" + garbageRate + ", emptyRate=" + emptyRate + ", requireKey=" + (requireKey == null ? "none" : "***") + "]";
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
                key == null || key.isBlank() ? null : key.strip());
        double total = c.rateLimitedRate + c.creditsRate + c.serverErrorRate + c.timeoutRate + c.garbageRate + c.emptyRate;
        if (total > 1.0 + 1e-9) {
            throw new IllegalArgumentException(PREFIX + "failure.* rates add up to " + total + "; together they must be at most 1");
        }
        if (c.port < 0 || c.port > 65535) {
            throw new IllegalArgumentException(PREFIX + "port is " + c.port + "; it must be between 0 (any free port) and 65535");
        }
        return c;
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
