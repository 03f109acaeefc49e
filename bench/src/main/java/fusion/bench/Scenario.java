package fusion.bench;

import java.util.List;

/**
 * One benchmark setting: how many requests, how slow each model call is, how many calls each model
 * may have in flight, and how many requests the load keeps outstanding (closed loop).
 *
 * @param window requests outstanding at once in the throughput run; 0 submits everything at once,
 *     as a batch job does, so the providers' limits and nothing else bound throughput
 * @param naiveSample requests the naive blocking app runs (it is far too slow for the full set)
 * @param latencyRequests requests of the latency run, which keeps {@link #latencyWindow()} outstanding;
 *     0 for none
 * @param latencyWindow requests outstanding in the latency run: at most the per-model limit, so no
 *     call waits for capacity and all of latency above the provider time is the variant's own
 */
public record Scenario(String name, String description, int requests, long latencyMs, long jitterMs,
                       int inFlightPerModel, int window, int naiveSample, int latencyRequests, int latencyWindow) {
    public static final List<String> PANEL = List.of("sim/panel-1", "sim/panel-2", "sim/panel-3");
    public static final String JUDGE = "sim/judge";

    public static List<Scenario> standard() {
        return List.of(
                new Scenario("i", "10,000 requests, 3-model panel + judge, 1 s ± 20% per call, 256 in flight per model",
                        10_000, 1000, 200, 256, 0, 30, 3000, 256),
                new Scenario("ii", "20,000 requests at zero latency: pure overhead", 20_000, 0, 0, 256, 0, 2000, 3000, 64),
                new Scenario("iii-10k", "10,000 requests at 200 ms (the base for iii)", 10_000, 200, 0, 256, 0, 0, 0, 0),
                new Scenario("iii", "100,000 requests at 200 ms: scale", 100_000, 200, 0, 256, 0, 0, 0, 0));
    }

    /** The untimed pass that warms the JIT, the broker and the connections before the first timed scenario. */
    public static Scenario warmUp(int requests) {
        return new Scenario("warm-up", requests + " requests at zero latency, untimed", requests, 0, 0, 256, 0, 0, 0, 0);
    }

    public Scenario scaled(double factor) {
        return new Scenario(name, description + (factor == 1 ? "" : " (scaled ×" + factor + ")"),
                Math.max(1, (int) Math.round(requests * factor)), latencyMs, jitterMs, inFlightPerModel, window, naiveSample,
                (int) Math.round(latencyRequests * factor), latencyWindow);
    }

    /** The same setting run for latency: fewer requests, a window under the limits. */
    public Scenario forLatency() {
        return new Scenario(name, description, latencyRequests, latencyMs, jitterMs, inFlightPerModel, latencyWindow, 0, 0, 0);
    }

    /** Provider and model limits for the client: each model its own cap, the provider room for all four. */
    public java.util.Map<String, String> clientSettings() {
        java.util.Map<String, String> s = new java.util.HashMap<>();
        s.put("fusion.provider.simulator.max-in-flight", Integer.toString(inFlightPerModel * (PANEL.size() + 1)));
        for (String m : PANEL) s.put("fusion.model." + m + ".max-in-flight", Integer.toString(inFlightPerModel));
        s.put("fusion.model." + JUDGE + ".max-in-flight", Integer.toString(inFlightPerModel));
        s.put("fusion.calls.timeout-ms", "60000");
        return s;
    }
}
