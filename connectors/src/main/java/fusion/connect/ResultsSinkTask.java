package fusion.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.results.ResultJson;
import org.apache.kafka.common.header.internals.RecordHeaders;
import fusion.schema.FusionResult;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends each request's result to the results file once. The ids already in the file are read at start, so a
 * result read again (offsets not yet committed when a worker stopped, a rebalance) is not written twice; what was
 * written is forced to disk before its offsets are committed, so a crash loses nothing it reported done.
 */
public final class ResultsSinkTask extends SinkTask {
    private static final Logger log = LoggerFactory.getLogger(ResultsSinkTask.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path file;
    private Deserializer<FusionResult> results;
    private final Set<String> written = new HashSet<>();
    private FileChannel channel;
    private BufferedWriter out;

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
            if (Files.exists(file)) readWritten();
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            out = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConnectException("fusion results sink: cannot open " + file + " (" + ResultsSinkConfig.FILE + "): " + e.getMessage(), e);
        }
        log.info("writing results to {}; {} request ids already in it", file, written.size());
    }

    /** The ids the file holds. A last line without its newline was cut short by a crash: it goes, and its result is written again. */
    private void readWritten() throws IOException {
        try (FileChannel existing = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long end = existing.size();
            long complete = end;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (complete > 0) {
                one.clear();
                existing.read(one, complete - 1);
                if (one.get(0) == '\n') break;
                complete--;
            }
            if (complete < end) {
                log.warn("{} ends in a line cut short ({} bytes); removing it, its result is written again", file, end - complete);
                existing.truncate(complete);
                existing.force(true);
            }
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                number++;
                if (line.isBlank()) continue;
                JsonNode id = JSON.readTree(line).get("request_id");
                if (id == null || !id.isTextual()) {
                    throw new ConnectException(file + " line " + number + " is no result (no request_id); point "
                            + ResultsSinkConfig.FILE + " at a results file or a new one");
                }
                written.add(id.asText());
            }
        }
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
                out.write(ResultJson.toJson(result));
                out.newLine();
            } catch (IOException e) {
                throw new ConnectException("fusion results sink: cannot write to " + file + ": " + e.getMessage(), e);
            }
        }
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

    /** Called before offsets are committed: what was written is on disk first. */
    @Override
    public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        try {
            out.flush();
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("fusion results sink: cannot write to " + file, e);
        }
    }

    @Override
    public void stop() {
        if (out == null) return;
        try {
            flush(Map.of());
            out.close();
        } catch (IOException | UncheckedIOException e) {
            log.warn("fusion results sink: closing {}: {}", file, e.getMessage());
        }
    }
}
