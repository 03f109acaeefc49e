package fusion.runtime;

import fusion.schema.FusionResult;
import fusion.topology.Topics;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A results file in input order, however the results arrive. Results complete in any order (and a rerun reads them
 * back in the results topic's), so each is kept, as it arrives, in a spool beside the file (its Avro bytes, and where
 * they start), and a JSONL file also gets it at once, so the file grows while the run lasts. When the run ends the file
 * is written again from the spool in the dataset's row order and moved over the one that grew: two runs of the same
 * dataset give the same file. A run killed before its end leaves the file in arrival order, and the spool, which the
 * next run replaces.
 */
final class InputOrderResults implements ResultSink {
    private final Path file;
    private final ResultSink.Format format;
    private final Map<String, Integer> rowOf;
    private final Path spool;
    private final DataOutputStream spoolOut;
    /** Request id → where its latest result starts in the spool, in arrival order. */
    private final Map<String, Long> at = new LinkedHashMap<>();
    private final ResultSink arriving;
    private long spooled;

    /** @param rowOf each request id's row in the dataset; results of ids without one go last, in arrival order */
    InputOrderResults(Path file, ResultSink.Format format, Map<String, Integer> rowOf) throws IOException {
        this.file = file;
        this.format = format;
        this.rowOf = rowOf;
        this.spool = file.resolveSibling("." + file.getFileName() + ".arriving");
        this.spoolOut = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(spool)));
        // Parquet cannot be read before its footer is written, so there it is written once, at the end.
        this.arriving = format == ResultSink.Format.JSONL ? ResultSink.jsonl(file) : null;
    }

    @Override
    public void write(FusionResult result) {
        byte[] bytes = Topics.RESULT.encode(result);
        try {
            spoolOut.writeInt(bytes.length);
            spoolOut.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep results in " + spool, e);
        }
        at.put(result.getRequestId(), spooled);
        spooled += 4 + bytes.length;
        if (arriving != null) arriving.write(result);
    }

    @Override
    public void flush() {
        try {
            spoolOut.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep results in " + spool, e);
        }
        if (arriving != null) arriving.flush();
    }

    @Override
    public void close() {
        try {
            spoolOut.close();
            if (arriving != null) arriving.close();
            writeInOrder();
            Files.deleteIfExists(spool);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + " in input order", e);
        }
    }

    private void writeInOrder() throws IOException {
        List<String> ids = new ArrayList<>(at.keySet());
        Map<String, Integer> arrival = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) arrival.put(ids.get(i), i);
        ids.sort(Comparator.comparingInt((String id) -> rowOf.getOrDefault(id, Integer.MAX_VALUE)).thenComparingInt(arrival::get));
        // JSONL is written beside the file and moved over it, so the file is whole at every moment; Parquet does so itself
        Path target = format == ResultSink.Format.JSONL ? file.resolveSibling("." + file.getFileName() + ".ordered") : file;
        try (RandomAccessFile in = new RandomAccessFile(spool.toFile(), "r"); ResultSink out = ResultSink.open(target, format)) {
            for (String id : ids) {
                in.seek(at.get(id));
                byte[] bytes = new byte[in.readInt()];
                in.readFully(bytes);
                out.write(Topics.RESULT.decode(bytes));
            }
        }
        if (target != file) Files.move(target, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
