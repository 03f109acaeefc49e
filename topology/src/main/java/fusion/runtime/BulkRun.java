package fusion.runtime;

import fusion.dataset.Dataset;
import fusion.results.Rerun;
import fusion.intake.FusionDefaults;
import fusion.results.FailureReason;
import fusion.schema.FusionResult;
import fusion.topology.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
    private boolean retryFailed = true;
    private java.util.function.BooleanSupplier stop = () -> false;
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

    /**
     * Whether results of an earlier run that failed for a passing reason ({@link Rerun}) are sent again,
     * as their next try; on by default, off with {@code --no-retry-failed}.
     */
    public BulkRun retryFailed(boolean retry) {
        this.retryFailed = retry;
        return this;
    }

    /** Stops collecting, with the results so far, once {@code stop} says so (a provider refused its key). */
    public BulkRun stopWhen(java.util.function.BooleanSupplier stop) {
        this.stop = stop;
        return this;
    }

    /** Formats told by the files' extensions. */
    public RunSummary run(Path input, Path output) throws IOException {
        return run(Dataset.of(input), output, ResultSink.Format.of(output));
    }

    /** The dataset is read before the results file is opened, so a dataset that cannot be read leaves the last results as they were. */
    public RunSummary run(Dataset input, Path output, ResultSink.Format format) throws IOException {
        return run(read(input, limits), output, format);
    }

    /**
     * A dataset's rows as requests, and the results of rows answered as they were read. Reading it apart from running
     * it lets a command find a dataset that cannot be read before it starts a broker.
     */
    public record Rows(Map<String, DatasetRows.Row> requests, List<FusionResult> unreadable, Map<String, Integer> rowOf) {}

    public static Rows read(Dataset input, FusionDefaults limits) throws IOException {
        List<FusionResult> unreadable = new ArrayList<>();
        Map<String, Integer> rowOf = new HashMap<>();
        return new Rows(DatasetRows.read(input, null, limits, unreadable, rowOf), unreadable, rowOf);
    }

    /**
     * What a run of these rows has to do, from what earlier runs of the job left on the results topic, read once:
     * the rows to send (new ones, ones still in flight from a run that stopped, and results worth another try).
     *
     * @param earlier     the latest result on the topic of each row that has one
     * @param earlierCost what every result on the topic cost, every try of a request counted (each was paid for)
     */
    public record Plan(Rows rows, Map<String, FusionResult> earlier, List<DatasetRows.Row> toSend, Map<String, Integer> wantedAttempt,
                       int retried, double earlierCost) {
        /** Every row has its final result: they are written from the topic, and no pipeline needs to run. */
        public boolean finished() {
            return toSend.isEmpty();
        }
    }

    public Plan plan(Rows rows) {
        Map<String, DatasetRows.Row> requests = rows.requests();
        Map<String, FusionResult> earlier = new HashMap<>();
        RunSummary.Tally paid = new RunSummary.Tally();
        TopicSnapshot.read(clientConfig, topics.results(), (key, value) -> {
            if (value == null) return;
            paid.add(value);
            if (key != null && requests.containsKey(key)) earlier.put(key, value);
        });
        Map<String, Integer> wantedAttempt = new HashMap<>();
        List<DatasetRows.Row> toSend = new ArrayList<>();
        int retried = 0;
        for (DatasetRows.Row row : requests.values()) {
            FusionResult before = earlier.get(row.requestId());
            if (before == null) {
                toSend.add(row); // new, or still in flight from a run that stopped: intake never runs one try twice
                continue;
            }
            // The collector reads the topic from its start: an earlier try's result must not stand for the latest.
            wantedAttempt.put(row.requestId(), before.getAttempt());
            if (retryFailed && Rerun.worthRetrying(before)) {
                DatasetRows.Row next = nextAttempt(row, before.getAttempt() + 1);
                if (next != null) {
                    toSend.add(next);
                    wantedAttempt.put(row.requestId(), before.getAttempt() + 1);
                    retried++;
                }
            }
        }
        return new Plan(rows, earlier, toSend, wantedAttempt, retried, paid.cost());
    }

    /** The results file is in the dataset's row order when this returns, however the results arrived. */
    public RunSummary run(Rows rows, Path output, ResultSink.Format format) throws IOException {
        return run(plan(rows), output, format);
    }

    /** Sends what the plan says and collects every row's result; with nothing to send, only collects. */
    public RunSummary run(Plan plan, Path output, ResultSink.Format format) throws IOException {
        long started = System.currentTimeMillis();
        try (ResultSink sink = new InputOrderResults(output, format, plan.rows().rowOf())) {
            List<FusionResult> unreadable = plan.rows().unreadable();
            unreadable.forEach(sink::write);
            int duplicates = (int) unreadable.stream()
                    .filter(r -> FailureReason.DUPLICATE_REQUEST_ID.wireName().equals(r.getFailureReason())).count();
            RunSummary summary = plan.finished() ? replay(plan, sink, started)
                    : submitAndCollect(plan, sink, started);
            return summary.withRetriedResults(plan.retried()).withDuplicateIds(duplicates);
        }
    }

    private RunSummary submitAndCollect(Plan plan, ResultSink sink, long started) {
        new Submitter(clientConfig).submit(topics.requests(), plan.toSend());
        StartupTrace.mark("requests submitted");
        return new ResultCollector(clientConfig, topics.results(), progress)
                .collect(r -> r.getAttempt() >= plan.wantedAttempt().getOrDefault(r.getRequestId(), 1), plan.rows().requests().keySet(),
                        ResultCollector.Until.ALL_EXPECTED, sink, started, plan.rows().unreadable().size(), stop);
    }

    /** Every row's result was in the plan's read of the topic: written from it, without reading the topic again. */
    private RunSummary replay(Plan plan, ResultSink sink, long started) {
        RunSummary.Tally tally = new RunSummary.Tally(started);
        for (String id : plan.rows().requests().keySet()) {
            FusionResult result = plan.earlier().get(id);
            sink.write(result);
            tally.add(result);
        }
        sink.flush();
        int answered = plan.rows().unreadable().size();
        int total = plan.rows().requests().size() + answered;
        long elapsed = System.currentTimeMillis() - started;
        progress.update(tally, total, elapsed);
        progress.close();
        return tally.summary(total, answered, elapsed);
    }

    /** The row as its request's next try; null for a row sent as JSON, which intake rejects whatever its try. */
    private static DatasetRows.Row nextAttempt(DatasetRows.Row row, int attempt) {
        byte[] v = row.value();
        if (v.length < 2 || v[0] != (byte) 0xC3 || v[1] != 0x01) return null;
        fusion.schema.FusionRequest request = Topics.REQUEST.decode(v);
        request.setAttempt(attempt);
        return new DatasetRows.Row(row.line(), row.requestId(), Topics.REQUEST.encode(request));
    }
}
