package fusion.bench;

import fusion.model.ChatClient;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.model.resilience.ResilienceConfig;
import fusion.model.resilience.ResilientChatClient;
import fusion.runtime.EmbeddedBroker;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the scenarios side by side in one process against the simulator: a. the pipeline, b. a
 * direct fan-out with no Kafka (the ceiling) and c. a naive blocking Streams app; prints a table
 * per scenario with the ratios a/b and a/c, and the scale ratio of iii to its 10k base.
 */
public final class Benchmark {
    private final Path workDir;
    private final int streamThreads;
    private final Map<String, String> streamsOverrides;
    private final PrintStream out;
    private final int warmUpRequests;
    private EmbeddedBroker broker;

    /** @param warmUpRequests requests of the untimed warm-up pass of each variant, at zero latency; 0 for none */
    public Benchmark(Path workDir, int streamThreads, Map<String, String> streamsOverrides, int warmUpRequests, PrintStream out) {
        this.workDir = workDir;
        this.streamThreads = streamThreads;
        this.streamsOverrides = streamsOverrides;
        this.warmUpRequests = warmUpRequests;
        this.out = out;
    }

    /** @return the report, as markdown */
    public String run(List<Scenario> scenarios, java.util.Set<String> variants) throws Exception {
        StringBuilder report = new StringBuilder();
        Map<String, Measurement> pipelineBy = new HashMap<>();
        try {
            if (warmUpRequests > 0) warmUp(variants);
            for (Scenario s : scenarios) {
                String section = scenario(s, variants, pipelineBy);
                out.println(section);
                report.append(section).append('\n');
            }
            Measurement base = pipelineBy.get("iii-10k");
            Measurement scale = pipelineBy.get("iii");
            if (base != null && scale != null) {
                String line = String.format(Locale.ROOT, "Scale (iii): %d requests took %.1f s, %.2f× the %.1f s of %d requests (linear would be %.1f×).%n",
                        scale.requests(), scale.wallSeconds(), scale.wallSeconds() / base.wallSeconds(), base.wallSeconds(), base.requests(),
                        (double) scale.requests() / base.requests());
                out.println(line);
                report.append(line);
            }
        } finally {
            if (broker != null) broker.close();
        }
        return report.toString();
    }

    private String scenario(Scenario s, java.util.Set<String> variants, Map<String, Measurement> pipelineBy) throws Exception {
        out.println("scenario " + s.name() + ": " + s.description() + " …");
        Duration patience = Duration.ofMinutes(10);
        List<Measurement> rows = new ArrayList<>();
        Map<String, String> sim = Map.of("fusion.simulator.latency-ms", Long.toString(s.latencyMs()),
                "fusion.simulator.jitter-ms", Long.toString(s.jitterMs()));
        Measurement a = null;
        Measurement b = null;
        Measurement c = null;
        try (Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(sim))) {
            if (variants.contains("b") && !s.name().startsWith("iii")) {
                b = measure(s, simulator, (client, clock) -> DirectFanOut.run(s, client, clock, patience), rows);
            }
            if (variants.contains("a")) {
                a = measure(s, simulator, (client, clock) -> PipelineRun.run(s, broker().bootstrapServers(), workDir.resolve("streams"),
                        client, clock, streamThreads, streamsOverrides, patience), rows);
                pipelineBy.put(s.name(), a);
            }
            if (s.latencyRequests() > 0) {
                Scenario l = s.forLatency();
                String label = " — latency run, " + l.window() + " outstanding";
                if (variants.contains("b")) {
                    measure(l, simulator, (client, clock) -> DirectFanOut.run(l, client, clock, patience).labelled(label), rows);
                }
                if (variants.contains("a")) {
                    measure(l, simulator, (client, clock) -> PipelineRun.run(l, broker().bootstrapServers(), workDir.resolve("streams"),
                            client, clock, streamThreads, streamsOverrides, patience).labelled(label), rows);
                }
            }
            if (variants.contains("c") && s.naiveSample() > 0) {
                c = measure(s, simulator, (client, clock) -> NaiveStreams.run(s, broker().bootstrapServers(), workDir.resolve("streams"),
                        client, clock, patience), rows);
            }
        }
        StringBuilder md = new StringBuilder("### Scenario ").append(s.name()).append(": ").append(s.description()).append("\n\n")
                .append(Measurement.header()).append('\n');
        rows.forEach(r -> md.append(r.row()).append('\n'));
        md.append('\n');
        if (a != null && b != null) md.append(String.format(Locale.ROOT, "a/b throughput: %.2f%n", a.throughput() / b.throughput()));
        if (a != null && c != null) md.append(String.format(Locale.ROOT, "a/c throughput: %.0f%n", a.throughput() / c.throughput()));
        return md.toString();
    }

    /**
     * Runs the pipeline and the direct fan-out once on a small set at zero latency, and drops the figures.
     * Without it the first scenario also times the JIT compiling the hot path, the broker's first
     * topics and the first connections: iii-10k run first took three times as long as after i and ii.
     */
    private void warmUp(java.util.Set<String> variants) throws Exception {
        Scenario w = Scenario.warmUp(warmUpRequests);
        out.println("warm-up: " + w.requests() + " requests at zero latency through " + (variants.contains("b") ? "b and a" : "a")
                + ", untimed (--warm-up 0 to skip) …");
        Duration patience = Duration.ofMinutes(5);
        List<Measurement> dropped = new ArrayList<>();
        try (Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of("fusion.simulator.latency-ms", "0",
                "fusion.simulator.jitter-ms", "0")))) {
            if (variants.contains("b")) measure(w, simulator, (client, clock) -> DirectFanOut.run(w, client, clock, patience), dropped);
            if (variants.contains("a")) {
                measure(w, simulator, (client, clock) -> PipelineRun.run(w, broker().bootstrapServers(), workDir.resolve("streams"),
                        client, clock, streamThreads, streamsOverrides, patience), dropped);
            }
        }
    }

    /** One variant's run, with a client of its own: no limits, queues or circuits carry over from the one before. */
    private interface Variant {
        Measurement run(ChatClient client, ProviderClock clock) throws Exception;
    }

    private Measurement measure(Scenario s, Simulator simulator, Variant variant, List<Measurement> rows) throws Exception {
        ProviderClock clock = new ProviderClock(new OpenAiChatClient(routes(simulator), Duration.ofSeconds(60)));
        try (ChatClient client = new ResilientChatClient(clock, routes(simulator), ResilienceConfig.fromProperties(s.clientSettings()),
                new SimpleMeterRegistry())) {
            Measurement m = variant.run(client, clock);
            rows.add(m);
            out.println("  " + m.row());
            return m;
        }
    }

    private static ProviderRoutes routes(Simulator simulator) {
        return ProviderRoutes.single("simulator", simulator.baseUrl(), null);
    }

    private EmbeddedBroker broker() throws java.io.IOException {
        if (broker == null) broker = EmbeddedBroker.start(workDir.resolve("kafka"));
        return broker;
    }
}
