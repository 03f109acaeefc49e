package fusion.runtime;

import fusion.dataset.Dataset;
import fusion.intake.FusionDefaults;
import fusion.results.FailureReason;
import fusion.schema.FusionResult;
import fusion.topology.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A dataset through the pipeline: produce each row as a request, collect one result per request id
 * (read_committed), write them in the spec's shape, and summarise.
 */
public final class BulkRun {
    private final Map<String, Object> clientConfig;
    private final Topics topics;
    private final RunProgress progress;
    private final FusionDefaults limits;

    public BulkRun(String bootstrapServers, Topics topics, PrintStream progress, Duration progressEvery) {
        this(Map.of("bootstrap.servers", bootstrapServers), topics, RunProgress.lines(progress, progressEvery, null));
    }

    public BulkRun(Map<String, Object> clientConfig, Topics topics, RunProgress progress) {
        this(clientConfig, topics, progress, FusionDefaults.standard());
    }

    /** @param limits whose {@code maxRequestBytes} bounds a row: a larger one is answered, never produced */
    public BulkRun(Map<String, Object> clientConfig, Topics topics, RunProgress progress, FusionDefaults limits) {
        this.clientConfig = clientConfig;
        this.topics = topics;
        this.progress = progress;
        this.limits = limits;
    }

    /** Formats told by the files' extensions. */
    public RunSummary run(Path input, Path output) throws IOException {
        return run(Dataset.of(input), output, ResultSink.Format.of(output));
    }

    /** The dataset is read before the results file is opened, so a dataset that cannot be read leaves the last results as they were. */
    public RunSummary run(Dataset input, Path output, ResultSink.Format format) throws IOException {
        long started = System.currentTimeMillis();
        List<FusionResult> unreadable = new ArrayList<>();
        Map<String, DatasetRows.Row> rows = DatasetRows.read(input, null, limits, unreadable);
        try (ResultSink sink = ResultSink.open(output, format)) {
            return run(rows, unreadable, sink, started);
        }
    }

    private RunSummary run(Map<String, DatasetRows.Row> rows, List<FusionResult> unreadable, ResultSink sink, long started) {
        unreadable.forEach(sink::write);
        new Submitter(clientConfig).submit(topics.requests(), rows.values());
        int duplicates = (int) unreadable.stream()
                .filter(r -> FailureReason.DUPLICATE_REQUEST_ID.wireName().equals(r.getFailureReason())).count();
        return new ResultCollector(clientConfig, topics.results(), progress)
                .collect(r -> true, rows.keySet(), ResultCollector.Until.ALL_EXPECTED, sink, started, unreadable.size(), () -> false)
                .withDuplicateIds(duplicates);
    }
}
