package fusion.cli;

import fusion.runtime.DatasetRows;
import fusion.runtime.FusionConfig;
import fusion.runtime.ResultCollector;
import fusion.runtime.ResultSink;
import fusion.runtime.RunProgress;
import fusion.runtime.RunSummary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fusion collect}: results from a cluster into a file, read_committed. */
@Command(name = "collect", mixinStandardHelpOptions = true,
        description = "Reads committed results (of one batch, with --batch-id) and writes them to --out. Without --follow it "
                + "stops at the end of the results topic; with it, it keeps reading until Ctrl-C or SIGTERM, then closes the file and exits 0.")
public final class CollectCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "OUT", description = "results file (JSONL or Parquet)")
    Path out;

    @Mixin
    ResultFileOptions results;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--batch-id", paramLabel = "ID", description = "only this batch's results")
    String batchId;

    @Option(names = "--follow", description = "keep reading new results until stopped")
    boolean follow;

    @Option(names = "--progress-seconds", defaultValue = "2", description = "how often a progress line is printed (default ${DEFAULT-VALUE})")
    int progressSeconds;

    @Override
    public Integer call() throws Exception {
        OutputFile.check("--out", out, null);
        FusionConfig config = cluster.config("collect");
        StopSignal stop = StopSignal.install("collect", Duration.ofSeconds(10)); // time to flush and close the file
        try (ResultSink sink = results.open(out)) {
            RunSummary summary = new ResultCollector(config.kafkaClient(cluster.bootstrapServers), config.topics().results(),
                    RunProgress.open("fusion collect", System.err, Duration.ofSeconds(progressSeconds), null))
                    .collect(r -> batchId == null || batchId.equals(r.getMetadata().get(DatasetRows.BATCH_ID)), null,
                            follow ? ResultCollector.Until.STOPPED : ResultCollector.Until.CAUGHT_UP, sink,
                            System.currentTimeMillis(), 0, stop::requested);
            System.out.println(summary.describe());
            System.out.println("results in " + out);
        } finally {
            stop.finished();
        }
        return stop.requested() && !follow ? 130 : 0; // stopped before it caught up: the file may lack results
    }
}
