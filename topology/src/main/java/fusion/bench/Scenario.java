package fusion.bench;

import java.util.List;

/**
 * One benchmark setting: how many requests, how slow each model call is, how many calls each model
 * may have in flight, and how many requests the load keeps outstanding (closed loop).
 *
 * @param window requests outstanding at once: twice the per-model limit keeps panel and judge
 *     slots both full; 0 submits everything at once
 * @param naiveSample requests the naive blocking app runs (it is far too slow for the full set)
 */
public record Scenario(String name, String description, int requests, long latencyMs, long jitterMs,
                       int inFlightPerModel, int window, int naiveSample) {
    public static final List<String> PANEL = List.of("sim/panel-1", "sim/panel-2", "sim/panel-3");
    public static final String JUDGE = "sim/judge";

    public static List<Scenario> standard() {
        return List.of(
                new Scenario("i", "10,000 requests, 3-model panel + judge, 1 s ± 20% per call, 256 in flight per model",
                        10_000, 1000, 200, 256, 512, 30),
                new Scenario("ii", "20,000 requests at zero latency: pure overhead", 20_000, 0, 0, 256, 0, 2000),
                new Scenario("iii-10k", "10,000 requests at 200 ms (the base for iii)", 10_000, 200, 0, 256, 512, 0),
                new Scenario("iii", "100,000 requests at 200 ms: scale", 100_000, 200, 0, 256, 512, 0));
    }

    public Scenario scaled(double factor) {
        return new Scenario(name, description + (factor == 1 ? "" : " (scaled ×" + factor + ")"),
                Math.max(1, (int) Math.round(requests * factor)), latencyMs, jitterMs, inFlightPerModel, window, naiveSample);
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
