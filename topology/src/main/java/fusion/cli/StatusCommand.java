package fusion.cli;

import fusion.runtime.BatchStatus;
import fusion.runtime.FusionConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fusion status}: a batch's request counts. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Prints a batch's counts as JSON: submitted, ok, degraded (ok without analysis), error, in flight, "
                + "and request_counts as the batch APIs name them.")
public final class StatusCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--batch-id", paramLabel = "ID", description = "the batch (default: every request on the topic)")
    String batchId;

    @Override
    public Integer call() throws Exception {
        FusionConfig config = cluster.config("status");
        System.out.println(new BatchStatus(config.kafkaClient(cluster.bootstrapServers), config.topics()).of(batchId).toJson().toPrettyString());
        return 0;
    }
}
