package fusion.cli;

import fusion.calls.CallCapacity;
import fusion.model.ProviderRoutes;
import fusion.runtime.BulkRun;
import fusion.runtime.FusionApp;
import fusion.runtime.FusionConfig;
import fusion.runtime.MetricsEndpoint;
import fusion.runtime.ModelCalls;
import fusion.runtime.ResultSink;
import fusion.runtime.RunProgress;
import fusion.runtime.RunSummary;
import fusion.simulator.Simulator;
import fusion.topology.Topics;
import io.micrometer.core.instrument.Metrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fusion run INPUT --out OUT}: a dataset through an embedded broker and the pipeline. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs every request of INPUT (JSONL, CSV or Parquet) through the pipeline on an embedded Kafka broker "
                + "and writes one result per request to --out (JSONL in the Fusion tool-result shape, or Parquet).",
                "State (broker data, offsets, changelogs, results) stays in --state-dir, so a rerun resumes."})
public final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "INPUT", description = "JSONL, CSV or Parquet file, one request per row: prompt or messages, optional id/request_id and Fusion parameters")
    Path input;

    @Mixin
    DatasetOptions dataset;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "where results go (JSONL or Parquet)")
    Path out;

    @Mixin
    ResultFileOptions results;

    @Option(names = "--report", paramLabel = "FILE",
            description = "when the run ends, also write the HTML report of --out to FILE (as fusion report --html FILE does)")
    Path report;

    @Option(names = "--simulate", description = "send every model call to the built-in simulator (no API key, no cost)")
    boolean simulate;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "run state; default .fusion/<input name>-<simulated|live>")
    Path stateDir;

    @Option(names = "--config", paramLabel = "FILE", description = "a .properties file of fusion.* settings (see README)")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override one setting, e.g. --set fusion.simulator.latency-ms=50")
    Map<String, String> overrides = new HashMap<>();

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "serve Prometheus metrics on http://localhost:PORT/metrics while the run lasts")
    Integer metricsPort;

    @Option(names = "--max-cost", paramLabel = "USD",
            description = "stop starting model calls once the job has cost this much (counting results of earlier runs of the same job); "
                    + "the remaining requests get failure_reason budget_exceeded")
    Double maxCost;

    @Option(names = "--no-retry-failed", description = "keep results of earlier runs that failed for a passing reason (rate limits, "
            + "timeouts, 5xx, network, a refused key, the budget, a cancelled batch) as they are; by default a rerun tries them again")
    boolean noRetryFailed;

    @Option(names = "--no-tools", description = "requests that name no tools answer from what the models know: no web_search or "
            + "web_fetch on their panel and judge calls (sets fusion.tools.default=none); a request's own tools still count")
    boolean noTools;

    @Option(names = "--progress-seconds", defaultValue = "2", description = "without a terminal, how often a progress line is printed (default ${DEFAULT-VALUE}); on a terminal a bar shows instead")
    int progressSeconds;

    /**
     * One instance owns the run: static membership lets a restart after kill -9 take its partitions back at
     * once, instead of waiting a session timeout (45 s) for the dead member to expire.
     */
    private static Map<String, String> embeddedClientSettings(FusionConfig config) {
        Map<String, String> extra = new HashMap<>();
        extra.put("main.consumer.group.instance.id", "fusion-run");
        extra.putAll(config.under("kafka."));
        return extra;
    }

    private BulkRun bulk(Map<String, Object> clients, Topics topics, FusionConfig config, RunProgress progress,
                         java.util.concurrent.atomic.AtomicReference<fusion.model.resilience.ProviderRefusal> refused) {
        return new BulkRun(clients, topics, progress, config.pipeline().requestDefaults())
                .retryFailed(!noRetryFailed && config.bool("fusion.run.retry-failed", true))
                .stopWhen(() -> refused.get() != null);
    }

    /**
     * The broker's own log lines, and those of Kafka's clients and RocksDB, go to a file beside its data. It starts on
     * a thread of its own, and RocksDB's library loads on another, while the simulator and the model clients start.
     */
    private static LocalBroker.Starting startBroker(Path state) {
        Path log = fusion.runtime.LibraryLogs.to(state.resolve("kafka.log"));
        if (log != null) System.err.println("Kafka's own log in " + log);
        fusion.runtime.BoundedRocksDb.loadInBackground();
        return LocalBroker.startInBackground("run", state.resolve("kafka"));
    }

    @Override
    public Integer call() throws Exception {
        // Everything the user gave is checked before the broker starts, which takes seconds: a typo costs none of them.
        OutputFile.checkInput("INPUT", input);
        OutputFile.check("--out", out, input);
        ResultSink.Format format = results.formatOf(out);
        if (report != null && !ReportCommand.writable("fusion run: --report", report)) return 2;
        if (maxCost != null) overrides.put("fusion.max-cost-usd", maxCost.toString());
        if (noTools) overrides.put(fusion.intake.FusionDefaults.TOOLS_SETTING, "none");
        FusionConfig config = CommandSettings.load("run", configFile, overrides);
        dataset.check(config);
        Path state = stateDir != null ? stateDir
                : Path.of(".fusion", input.getFileName().toString().replaceAll("\\W+", "_") + (simulate ? "-simulated" : "-live"));
        OutputFile.checkDirectory("--state-dir", state);
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
            throw new UsageError("--metrics-port " + metricsPort + " is not a port; use 1 to 65535, or 0 for any free one");
        }
        LocalBroker.require("run");
        BulkRun.Rows rows = BulkRun.read(dataset.of(input), config.pipeline().requestDefaults());
        ProviderRoutes configured = null;
        if (!simulate) {
            configured = ModelProviders.configured("run", config, ", or pass --simulate to use the built-in simulator");
            if (configured == null) return 2;
        }
        MetricsEndpoint metrics = metricsPort == null ? null : MetricsEndpoint.start(metricsPort);
        if (metrics != null) System.err.println("metrics on http://localhost:" + metrics.port() + "/metrics");
        fusion.runtime.StartupTrace.mark("arguments and dataset read");
        // Every check is done: the broker starts on a thread of its own, while the simulator and the model clients start.
        try (LocalBroker.Starting starting = startBroker(state);
             Simulator simulator = simulate ? ModelProviders.startSimulator(config) : null;
             var client = ModelCalls.open(routes(simulator, configured), config, Metrics.globalRegistry);
             var calls = ModelCalls.withToolLoop(client, routes(simulator, configured), ModelCalls.webTools(config, simulator), state);
             LocalBroker broker = starting.get()) {
            fusion.runtime.StartupTrace.mark("broker up");
            // so kcat and other clients can watch the job's topics while it runs
            System.out.println("bootstrap.servers=" + broker.bootstrapServers());
            System.out.flush();
            Topics topics = config.topics();
            // One instance, so a partition per stream thread is all the parallelism there is to have (calls run
            // asynchronously within a task); every further partition is one more task to set up, restore and close.
            int streamThreads = config.integer("fusion.stream-threads", 1);
            FusionApp.Settings settings = new FusionApp.Settings(broker.bootstrapServers(),
                    config.string("fusion.application-id", "fusion"), state.resolve("streams"),
                    config.integer("fusion.partitions", streamThreads), (short) 1, streamThreads,
                    embeddedClientSettings(config));
            CallCapacity capacity = config.capacity();
            var refused = new java.util.concurrent.atomic.AtomicReference<fusion.model.resilience.ProviderRefusal>();
            client.onProviderRefused(refusal -> refused.compareAndSet(null, refusal));
            Map<String, Object> clients = Map.of("bootstrap.servers", broker.bootstrapServers());
            BulkRun.Plan plan = bulk(clients, topics, config, null, refused).plan(rows);
            // A resumed job keeps to the same limit: what its results so far cost counts.
            if (capacity.budget().limited()) capacity.budget().alreadySpent(plan.earlierCost());
            RunSummary summary;
            if (plan.finished()) {
                // A replay: every row has its final result on the topic, so the pipeline has nothing to do and is not started.
                System.err.println("every row has its result from an earlier run; writing them without starting the pipeline");
                RunProgress progress = RunProgress.open("fusion run", System.err, Duration.ofSeconds(progressSeconds), capacity::inFlight);
                summary = bulk(clients, topics, config, progress, refused).run(plan, out, format);
            } else {
                try (FusionApp app = FusionApp.start(settings, topics, config.pipeline(), calls, capacity)) {
                    if (metrics != null) metrics.watch(app.streams());
                    System.err.println("pipeline running; state in " + state.toAbsolutePath());
                    RunProgress progress = RunProgress.open("fusion run", System.err, Duration.ofSeconds(progressSeconds), capacity::inFlight);
                    summary = bulk(clients, topics, config, progress, refused).run(plan, out, format)
                            .withRepeatedAfterCrash(capacity.stats().repeatedAfterRestart());
                }
            }
            if (refused.get() != null) {
                // The rows not answered stay pending in the state directory; the same command with the key sends them.
                System.err.println("fusion run: stopped: " + refused.get().describe());
                return 2;
            }
            fusion.runtime.StartupTrace.mark("results written");
            System.out.println(summary.describe());
            long paidHere = capacity.budget().callsByThisProcess();
            if (paidHere < summary.calls()) {
                // A resumed run: say what resuming saved.
                System.out.printf(java.util.Locale.ROOT, "this run made %d of the job's %d model calls, costing $%.4f; the rest were "
                        + "paid for by earlier runs and not repeated%n", paidHere, summary.calls(), capacity.budget().spentByThisProcess());
            }
            System.out.println("results in " + out);
            if (report != null) {
                ReportCommand.write(out, report);
                System.out.println("report in " + report);
            }
        } finally {
            fusion.runtime.StartupTrace.mark("broker closed");
            if (metrics != null) metrics.close();
        }
        return 0;
    }

    private static ProviderRoutes routes(Simulator simulator, ProviderRoutes configured) {
        return simulator != null ? ModelProviders.simulated(simulator) : configured;
    }
}
