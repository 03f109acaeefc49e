package fusion.cli;

import fusion.model.ProviderRoutes;
import fusion.runtime.FusionApp;
import fusion.runtime.FusionConfig;
import fusion.runtime.MetricsEndpoint;
import fusion.runtime.ModelCalls;
import io.micrometer.core.instrument.Metrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fusion serve}: only the streams app, on a real cluster. More instances with the same application id share the work. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Runs the pipeline against an existing Kafka cluster until stopped (Ctrl-C or SIGTERM; it then closes cleanly and exits 0). Start more instances "
                + "with the same fusion.application-id to scale out; partitions are shared among them.")
public final class ServeCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--state-dir", defaultValue = ".fusion/serve", description = "local state of this instance (default ${DEFAULT-VALUE}); one per instance")
    Path stateDir;

    @Option(names = "--simulate", description = "send every model call to the built-in simulator (no API key, no cost), as run --simulate does")
    boolean simulate;

    @Option(names = "--metrics-port", paramLabel = "PORT", description = "serve Prometheus metrics on http://localhost:PORT/metrics")
    Integer metricsPort;

    @Override
    public Integer call() throws Exception {
        OutputFile.checkDirectory("--state-dir", stateDir);
        FusionConfig config = cluster.config("serve");
        fusion.simulator.Simulator simulator = null;
        ProviderRoutes routes;
        if (simulate) {
            simulator = ModelProviders.startSimulator(config);
            routes = ModelProviders.simulated(simulator);
        } else {
            routes = ModelProviders.configured("serve", config, ", or pass --simulate to use the built-in simulator");
            if (routes == null) return 2;
        }
        StopSignal stop = StopSignal.install("serve", Duration.ofSeconds(60));
        MetricsEndpoint metrics = metricsPort == null ? null : MetricsEndpoint.start(metricsPort);
        try (var client = ModelCalls.open(routes, config, Metrics.globalRegistry);
             var calls = ModelCalls.withToolLoop(client, routes, ModelCalls.webTools(config, simulator), stateDir);
             FusionApp app = FusionApp.start(FusionApp.Settings.cluster(config, cluster.bootstrapServers, stateDir), config.topics(),
                     config.pipeline(), calls, config.capacity())) {
            var refused = new java.util.concurrent.atomic.AtomicReference<fusion.model.resilience.ProviderRefusal>();
            client.onProviderRefused(refusal -> {
                if (refused.compareAndSet(null, refusal)) stop.request();
            });
            if (metrics != null) metrics.watch(app.streams());
            System.err.println("serving " + config.topics().requests() + " → " + config.topics().results() + " on " + cluster.bootstrapServers
                    + (metrics != null ? "; metrics on :" + metrics.port() : ""));
            stop.await();
            if (refused.get() != null) {
                // Its calls stay pending in the app's state: the next serve with the key sends them.
                System.err.println("fusion serve: " + refused.get().describe());
                return 2;
            }
            System.err.println("stopping: closing the streams app (its group membership, in-flight transactions)");
        } finally {
            if (metrics != null) metrics.close();
            if (simulator != null) simulator.close();
            stop.finished();
        }
        return 0;
    }
}
