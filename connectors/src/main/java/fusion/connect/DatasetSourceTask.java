package fusion.connect;

import fusion.dataset.DatasetException;
import fusion.intake.FusionDefaults;
import fusion.runtime.DatasetRows;
import fusion.runtime.Submitter;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.topology.Topic;
import fusion.topology.Topics;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads its share of the dataset directory's files, as {@code fusion submit} reads one file, and hands each row to
 * the worker: a request for the requests topic, keyed by request id, in the bytes {@code fusion submit} produces;
 * or, for a row answered at once (unreadable, too large, a repeated id with other content, a second request of a
 * turn), its error result for the results topic, so no row goes unanswered.
 *
 * <p>A record's source offset is its file and row number. A file is read from its start every time (a repeated
 * id is told by what came before it), and only rows past the last one handed over are passed on; so a restarted
 * worker resumes where the committed offsets say, and a grown file yields its new rows only.
 */
public final class DatasetSourceTask extends SourceTask {
    private static final Logger log = LoggerFactory.getLogger(DatasetSourceTask.class);

    static final String FILE = "file";
    static final String ROW = "row";
    /** Headers that say where a record came from; the pipeline reads neither. */
    static final String FILE_HEADER = "fusion.dataset.file";
    static final String ROW_HEADER = "fusion.dataset.row";

    private DatasetSourceConfig config;
    private Topic<String, FusionRequest> requests;
    private Topic<String, FusionResult> results;
    private FusionDefaults limits;
    private String batchId;
    private long pollMs;
    private int batchSize;

    /** Every file of this task's share seen so far, by name. */
    private final Map<String, DatasetFile> files = new TreeMap<>();
    private final ArrayDeque<SourceRecord> ready = new ArrayDeque<>();
    private long nextLook;
    private final Object wake = new Object();
    private volatile boolean stopping;

    /** A file as it was when last looked at, and how far it has been handed over. */
    private static final class DatasetFile {
        final Path path;
        /** size and modification time at the last look, and when last read; a file is read once it holds still */
        String looked;
        String read;
        /** the last row handed to the worker (or committed by an earlier run) */
        long handed;

        DatasetFile(Path path, long committed) {
            this.path = path;
            this.handed = committed;
        }
    }

    @Override
    public String version() {
        return PluginVersion.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        config = new DatasetSourceConfig(props);
        Topics topics;
        try {
            var fusion = config.fusion();
            topics = fusion.topics();
            limits = fusion.pipeline().requestDefaults();
        } catch (IllegalArgumentException e) {
            throw new ConnectException("fusion dataset source: " + e.getMessage());
        }
        requests = topics.requests();
        results = topics.results();
        batchId = config.batchId();
        pollMs = config.getLong(DatasetSourceConfig.POLL_MS);
        batchSize = config.getInt(DatasetSourceConfig.BATCH_SIZE);
        log.info("reading datasets in {} into {} as batch {}", config.dir(), requests.name(), batchId);
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        if (ready.isEmpty()) {
            long wait = nextLook - System.currentTimeMillis();
            if (wait > 0) {
                synchronized (wake) {
                    if (!stopping) wake.wait(wait);
                }
                return null;
            }
            nextLook = System.currentTimeMillis() + pollMs;
            look();
            if (ready.isEmpty()) return null;
        }
        List<SourceRecord> batch = new ArrayList<>(Math.min(batchSize, ready.size()));
        while (batch.size() < batchSize && !ready.isEmpty()) batch.add(ready.poll());
        return batch;
    }

    /** Looks at the directory once: every file of this task's share that holds still and has not been read as it is now is read. */
    private void look() {
        Path dir = config.dir();
        if (!Files.isDirectory(dir)) {
            log.warn("{} {} is not a directory (yet); nothing to read", DatasetSourceConfig.DIR, dir);
            return;
        }
        Map<String, Path> present = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || name.endsWith(".tmp") || name.endsWith(".partial") || !Files.isRegularFile(p)) continue;
                if (Math.floorMod(name.hashCode(), config.taskCount()) != config.taskIndex()) continue;
                present.put(name, p);
            }
        } catch (IOException e) {
            log.warn("cannot list {}: {}; trying again in {} ms", dir, e.getMessage(), pollMs);
            return;
        }
        files.keySet().retainAll(present.keySet());
        present.forEach((name, path) -> {
            DatasetFile file = files.computeIfAbsent(name, n -> new DatasetFile(path, committedRow(n)));
            String now;
            try {
                BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
                now = a.size() + "@" + a.lastModifiedTime().toMillis();
            } catch (NoSuchFileException gone) {
                return;
            } catch (IOException e) {
                log.warn("cannot read {}: {}; trying again in {} ms", path, e.getMessage(), pollMs);
                return;
            }
            boolean stillSinceLastLook = now.equals(file.looked);
            file.looked = now;
            if (!stillSinceLastLook || now.equals(file.read)) return;
            if (read(name, file)) file.read = now;
        });
    }

    /** Queues the rows of {@code file} past the last one handed over; false when it could not be read, to try again later. */
    private boolean read(String name, DatasetFile file) {
        List<SourceRecord> rows = new ArrayList<>();
        long[] last = {file.handed};
        try {
            DatasetRows.read(config.dataset(file.path), batchId, limits, outcome -> {
                if (outcome.number() <= file.handed) return;
                rows.add(outcome.request() != null ? request(name, outcome.number(), outcome.request())
                        : answered(name, outcome.number(), outcome.placeId(), outcome.answer()));
                last[0] = Math.max(last[0], outcome.number());
            });
        } catch (DatasetException e) {
            // The file as a whole is no dataset (a table without the prompt's column): no row of it can be told apart.
            log.error("{}; it is read again once it changes", e.getMessage());
            return true;
        } catch (IOException | RuntimeException e) {
            log.warn("cannot read {}: {}; trying again in {} ms", file.path, e.getMessage(), pollMs);
            return false;
        }
        file.handed = last[0];
        if (!rows.isEmpty()) log.info("{}: {} rows to hand over, from row {}", name, rows.size(), rows.get(0).sourceOffset().get(ROW));
        ready.addAll(rows);
        return true;
    }

    private SourceRecord request(String file, int row, DatasetRows.Row request) {
        return new SourceRecord(partition(file), offset(row), requests.name(), null, Schema.STRING_SCHEMA, request.requestId(),
                Schema.BYTES_SCHEMA, Submitter.onTheWire(requests, request), null, headers(file, row));
    }

    /**
     * A row answered here, as fusion run answers it. Its id is made unique across the directory's files: a row
     * with no id of its own is answered as {@code line-N} in fusion run, here as {@code <file>:line-N}.
     */
    private SourceRecord answered(String file, int row, String placeId, FusionResult result) {
        String id = result.getRequestId();
        if (id.equals(placeId) || id.endsWith("~dup-" + placeId)) {
            id = id.substring(0, id.length() - placeId.length()) + file + ":" + placeId;
            result.setRequestId(id);
        }
        Map<String, String> metadata = new HashMap<>(result.getMetadata() == null ? Map.of() : result.getMetadata());
        metadata.putIfAbsent(DatasetRows.BATCH_ID, batchId);
        result.setMetadata(metadata);
        RecordHeaders written = new RecordHeaders(); // a JSON result's call ledger (fusion.results.format=json)
        byte[] value = results.valueSerde().serializer().serialize(results.name(), written, result);
        ConnectHeaders headers = headers(file, row);
        written.forEach(h -> headers.addBytes(h.key(), h.value()));
        return new SourceRecord(partition(file), offset(row), results.name(), null, Schema.STRING_SCHEMA, id,
                Schema.BYTES_SCHEMA, value, null, headers);
    }

    private static Map<String, String> partition(String file) {
        return Map.of(FILE, file);
    }

    private static Map<String, Long> offset(int row) {
        return Map.of(ROW, (long) row);
    }

    private static ConnectHeaders headers(String file, int row) {
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString(FILE_HEADER, file);
        headers.addString(ROW_HEADER, Integer.toString(row));
        return headers;
    }

    /** The last row of {@code file} whose record the worker committed, by this task or an earlier one; 0 for none. */
    private long committedRow(String file) {
        Map<String, Object> offset = context.offsetStorageReader().offset(partition(file));
        return offset != null && offset.get(ROW) instanceof Number n ? n.longValue() : 0;
    }

    @Override
    public void stop() {
        stopping = true;
        synchronized (wake) {
            wake.notifyAll();
        }
    }
}
