package fusion.cli;

import fusion.bench.Benchmark;
import fusion.bench.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fusion bench}: the pipeline against a direct fan-out and a naive blocking app, on the simulator. In module bench,
 * out of the production jar; FusionCommand finds it when that module is on the class path (as ./fusion puts it).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures, in one process against the built-in simulator: a. the pipeline (embedded broker, exactly-once), "
                + "b. a direct CompletableFuture fan-out with the same client and limits (no Kafka), c. a naive Streams app that blocks on calls.",
                "Scenarios: i (10k requests, 1 s ± 20%%, 256 in flight per model), ii (20k at zero latency), iii (100k at 200 ms, against a 10k base)."})
public final class BenchCommand implements Callable<Integer>, OptionalCommand {
    @Option(names = "--scenarios", split = ",", defaultValue = "i,ii,iii-10k,iii", description = "which scenarios (default ${DEFAULT-VALUE})")
    List<String> scenarios;

    @Option(names = "--scale", defaultValue = "1", description = "multiply every scenario's request count, e.g. 0.1 for a quick run")
    double scale;

    @Option(names = "--variants", split = ",", defaultValue = "a,b,c",
            description = "a (pipeline), b (direct fan-out), c (naive blocking app); default ${DEFAULT-VALUE}")
    java.util.Set<String> variants;

    @Option(names = "--stream-threads", defaultValue = "1", description = "stream threads of the pipeline (default ${DEFAULT-VALUE})")
    int streamThreads;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "a Kafka Streams property for the pipeline, e.g. --set commit.interval.ms=50")
    Map<String, String> streamsOverrides = new HashMap<>();

    @Option(names = "--warm-up", paramLabel = "REQUESTS", defaultValue = "5000",
            description = "requests of an untimed pass of each variant at zero latency before the first scenario, so no figure "
                    + "depends on the scenario's place in the run; 0 skips it (default ${DEFAULT-VALUE})")
    int warmUp;

    @Option(names = "--work-dir", defaultValue = ".fusion/bench", description = "broker and state (deleted first; default ${DEFAULT-VALUE})")
    Path workDir;

    @Option(names = "--report", paramLabel = "FILE", description = "also write the tables (markdown) to FILE")
    Path report;

    @Override
    public Integer call() throws Exception {
        List<Scenario> chosen = Scenario.standard().stream().filter(s -> scenarios.contains(s.name())).map(s -> s.scaled(scale)).toList();
        if (chosen.isEmpty()) {
            System.err.println("fusion bench: no such scenario in " + scenarios + "; choose from i, ii, iii-10k, iii");
            return 2;
        }
        deleteRecursively(workDir);
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, max heap "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB, Java " + System.getProperty("java.version"));
        String tables = new Benchmark(workDir, streamThreads, streamsOverrides, warmUp, System.out).run(chosen, variants);
        if (report != null) Files.writeString(report, tables);
        return 0;
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
