package fusion.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options of {@code fusion run} that say where model calls go and where state is kept, for the commands that make calls the way it does. */
public final class ModelRunOptions {
    @Option(names = "--simulate", description = "send every model call to the built-in simulator (no API key, no cost)")
    boolean simulate;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "run state; default .fusion/<input name>-<command>-<simulated|live>")
    Path stateDir;

    @Option(names = "--config", paramLabel = "FILE", description = "a .properties file of fusion.* settings (see README)")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override one setting, e.g. --set fusion.simulator.latency-ms=50")
    Map<String, String> overrides = new HashMap<>();

    @Option(names = "--progress-seconds", defaultValue = "2", description = "without a terminal, how often a progress line is printed (default ${DEFAULT-VALUE})")
    int progressSeconds;

    /** The state directory given, or one named after {@code input} and the command. */
    Path stateDir(Path input, String command) {
        return stateDir != null ? stateDir
                : Path.of(".fusion", input.getFileName().toString().replaceAll("\\W+", "_") + "-" + command + "-" + (simulate ? "simulated" : "live"));
    }

    /** Where this command's model calls go: the simulator it started (closed with it), or the configured providers. */
    record Models(fusion.model.ProviderRoutes routes, fusion.simulator.Simulator simulator) implements AutoCloseable {
        @Override
        public void close() {
            if (simulator != null) simulator.close();
        }
    }

    /** The simulator when --simulate is given, else the configured providers; null after saying on stderr which key is missing. */
    Models models(String command, fusion.runtime.FusionConfig config) {
        if (simulate) {
            var simulator = ModelProviders.startSimulator(config);
            return new Models(ModelProviders.simulated(simulator), simulator);
        }
        var routes = ModelProviders.configured(command, config, ", or pass --simulate to use the built-in simulator");
        return routes == null ? null : new Models(routes, null);
    }

    /** These options as {@code fusion run} takes them, state directory aside. */
    List<String> asRunArguments() {
        List<String> args = new java.util.ArrayList<>(List.of("--progress-seconds", Integer.toString(progressSeconds)));
        if (simulate) args.add("--simulate");
        if (configFile != null) args.addAll(List.of("--config", configFile.toString()));
        overrides.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
        return args;
    }
}
