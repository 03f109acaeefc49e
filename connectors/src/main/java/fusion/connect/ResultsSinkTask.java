package fusion.connect;

import fusion.runtime.ResultSink;
import fusion.schema.FusionResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each request's result to the results file (JSONL) or dataset directory (Parquet) once. The ids already there
 * are read at start, so a result read again (offsets not yet committed when a worker stopped, a rebalance) is not
 * written twice; what was written is forced to disk before its offsets are committed, so a crash loses nothing it
 * reported done.
 */
public final class ResultsSinkTask extends SinkTask {
    private static final Logger log = LoggerFactory.getLogger(ResultsSinkTask.class);

    private Path file;
    private Deserializer<FusionResult> results;
    private Set<String> written;
    private ResultsOutput out;
    /** A write that failed: the ids put since the last flush are no longer known to be on disk, so the task stops. */
    private RuntimeException failed;

    @Override
    public String version() {
        return PluginVersion.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        ResultsSinkConfig config = new ResultsSinkConfig(props);
        file = config.file();
        try {
            results = config.fusion().topics().results().valueSerde().deserializer();
        } catch (IllegalArgumentException e) {
            throw new ConnectException("fusion results sink: " + e.getMessage());
        }
        try {
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            out = ResultSink.Format.of(file) == ResultSink.Format.PARQUET
                    ? new ParquetResultsDataset(file, config.parquetMaxRowsPerFile())
                    : new JsonlResultsFile(file);
        } catch (IOException e) {
            throw new ConnectException("fusion results sink: cannot open " + file + " (" + ResultsSinkConfig.FILE + "): " + e.getMessage(), e);
        }
        written = out.written();
        log.info("writing results to {}; {} request ids already in it", file, written.size());
    }

    /** A JSON result's call ledger rides in a header (fusion.results.format=json); Connect hands headers over as its own. */
    private static RecordHeaders kafkaHeaders(SinkRecord record) {
        RecordHeaders headers = new RecordHeaders();
        for (org.apache.kafka.connect.header.Header h : record.headers()) {
            if (h.value() instanceof byte[] b) headers.add(h.key(), b);
            else if (h.value() != null) headers.add(h.key(), h.value().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return headers;
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        if (failed != null) {
            // The worker rewinds to the last committed offsets after a failed flush; writing on would skip the results
            // it hands over again, whose ids were taken but may not be on disk. A restarted task reads what is.
            throw new ConnectException("fusion results sink: an earlier write to " + file + " failed (" + failed.getMessage()
                    + "); restart the task", failed);
        }
        for (SinkRecord record : records) {
            if (record.value() == null) continue; // a tombstone: compaction's business, not a result
            FusionResult result;
            try {
                result = results.deserialize(record.topic(), kafkaHeaders(record), bytes(record));
            } catch (RuntimeException e) {
                unreadable(record, e);
                continue;
            }
            if (!written.add(result.getRequestId())) continue;
            try {
                out.write(result);
            } catch (UncheckedIOException e) {
                throw writeFailed(e);
            }
        }
    }

    private ConnectException writeFailed(UncheckedIOException e) {
        ConnectException failure = new ConnectException("fusion results sink: " + e.getMessage() + ": " + e.getCause().getMessage(), e);
        failed = failure;
        return failure;
    }

    private static byte[] bytes(SinkRecord record) {
        if (record.value() instanceof byte[] b) return b;
        throw new DataException("the value of " + record.topic() + "-" + record.kafkaPartition() + "@" + record.kafkaOffset()
                + " reached the sink as " + record.value().getClass().getSimpleName()
                + ", not bytes; set value.converter=org.apache.kafka.connect.converters.ByteArrayConverter in the connector's config");
    }

    /** A record that is no result: to the worker's dead letter queue when one is set (errors.tolerance=all), else the task stops. */
    private void unreadable(SinkRecord record, RuntimeException e) {
        ErrantRecordReporter reporter = context == null ? null : context.errantRecordReporter();
        String where = record.topic() + "-" + record.kafkaPartition() + "@" + record.kafkaOffset();
        if (reporter == null) throw new DataException("fusion results sink: " + where + " is no result: " + e.getMessage(), e);
        log.warn("{} is no result, reported to the dead letter queue: {}", where, e.getMessage());
        reporter.report(record, e);
    }

    /**
     * Called before offsets are committed (the default preCommit commits the offsets it was handed only if this
     * returns): every result put so far is on disk first. A Parquet dataset's part is closed here, so each
     * commit that follows new results ends a part.
     */
    @Override
    public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        if (failed != null) throw failed;
        try {
            out.flush();
        } catch (UncheckedIOException e) {
            throw writeFailed(e);
        }
    }

    @Override
    public void stop() {
        if (out == null) return;
        try {
            out.close();
        } catch (RuntimeException e) {
            log.warn("fusion results sink: closing {}: {}", file, e.getMessage());
        }
    }
}
