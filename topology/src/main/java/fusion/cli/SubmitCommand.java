package fusion.cli;

import fusion.runtime.DatasetRows;
import fusion.runtime.FusionConfig;
import fusion.runtime.Submitter;
import fusion.schema.FusionResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fusion submit}: a dataset's rows as requests on a cluster, tagged with a batch id. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Produces every row of INPUT as a request to the cluster's requests topic and returns. "
                + "Each request carries the batch id in metadata.batch_id; collect, status and cancel take it.")
public final class SubmitCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "INPUT", description = "JSONL, CSV or Parquet file, one request per row")
    Path input;

    @Mixin
    DatasetOptions dataset;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--batch-id", paramLabel = "ID", description = "names this batch (default: a new random id, printed)")
    String batchId;

    @Override
    public Integer call() throws Exception {
        OutputFile.checkInput("INPUT", input);
        FusionConfig config = cluster.config("submit");
        dataset.check(config);
        String batch = batchId != null ? batchId : "batch-" + UUID.randomUUID().toString().substring(0, 8);
        List<FusionResult> unreadable = new ArrayList<>();
        Map<String, DatasetRows.Row> rows = DatasetRows.read(dataset.of(input), batch, config.pipeline().requestDefaults(), unreadable);
        int sent;
        try {
            sent = new Submitter(config.kafkaClient(cluster.bootstrapServers)).submit(config.topics().requests(), rows.values());
        } catch (KafkaException e) {
            System.err.println("fusion submit: " + e.getMessage());
            System.err.println("batch " + batch + " is incomplete; submit it again (request ids make that safe)");
            return 1;
        }
        for (FusionResult r : unreadable) System.err.println("skipped: " + r.getError());
        System.out.println("submitted " + sent + " requests to " + config.topics().requests() + " as batch " + batch);
        return unreadable.isEmpty() ? 0 : 1;
    }
}
