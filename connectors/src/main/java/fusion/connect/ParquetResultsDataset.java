package fusion.connect;

import fusion.runtime.ParquetResults;
import fusion.schema.FusionResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The results as a Parquet dataset: a directory of {@code part-NNNNN.parquet} files with the columns fusion run
 * writes ({@link ParquetResults#SCHEMA}), which pyarrow, DuckDB, Spark and pandas read as one table. A Parquet file
 * cannot be appended to and is readable only once closed, so each flush closes the part being written and the next
 * result opens a new one. A part is written under a hidden name ({@code .part-NNNNN.parquet.tmp}, which those readers
 * skip), forced to disk and renamed: a part is either whole or absent.
 */
final class ParquetResultsDataset implements ResultsOutput {
    private static final Logger log = LoggerFactory.getLogger(ParquetResultsDataset.class);
    private static final Pattern PART = Pattern.compile("part-(\\d+)\\.parquet");
    private static final Pattern UNFINISHED = Pattern.compile("\\.part-\\d+\\.parquet\\.tmp");
    /** Only the id column is read at start. */
    private static final Schema IDS = SchemaBuilder.record(ParquetResults.SCHEMA.getName()).namespace(ParquetResults.SCHEMA.getNamespace())
            .fields().requiredString("request_id").endRecord();

    private final Path dir;
    private final int maxRowsPerPart;
    private final Set<String> written = new HashSet<>();
    private int nextPart;
    private ParquetResults part;
    private int rowsInPart;

    ParquetResultsDataset(Path dir, int maxRowsPerPart) throws IOException {
        this.dir = dir;
        this.maxRowsPerPart = maxRowsPerPart;
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ConnectException(dir + " (" + ResultsSinkConfig.FILE + ") is a file; the sink writes a .parquet results path as a "
                    + "dataset directory of part files: point the setting at a new path (a Parquet file of fusion run cannot be appended to)");
        }
        Files.createDirectories(dir);
        readWritten();
    }

    /** Ids of the parts already there; an unfinished part (a crash while it was written) goes, and its results are written again. */
    private void readWritten() throws IOException {
        List<Path> files;
        try (Stream<Path> listed = Files.list(dir)) {
            files = listed.sorted().toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (UNFINISHED.matcher(name).matches()) {
                log.warn("{} is a part a crash left unfinished; removing it, its results are written again", f);
                Files.delete(f);
                continue;
            }
            Matcher m = PART.matcher(name);
            if (!m.matches()) continue;
            nextPart = Math.max(nextPart, Integer.parseInt(m.group(1)) + 1);
            PlainParquetConfiguration conf = new PlainParquetConfiguration();
            conf.set(AvroReadSupport.AVRO_REQUESTED_PROJECTION, IDS.toString());
            try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(f), conf).build()) {
                for (GenericRecord r = reader.read(); r != null; r = reader.read()) written.add(r.get("request_id").toString());
            } catch (IOException | RuntimeException e) {
                throw new ConnectException(f + " is no results part (" + e.getMessage() + "); point " + ResultsSinkConfig.FILE
                        + " at a results dataset or a new one", e);
            }
        }
    }

    @Override
    public Set<String> written() {
        return written;
    }

    @Override
    public void write(FusionResult result) {
        try {
            if (part == null) {
                String name = String.format(Locale.ROOT, "part-%05d.parquet", nextPart++);
                part = new ParquetResults(dir.resolve(name), dir.resolve("." + name + ".tmp"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + dir, e);
        }
        part.write(result);
        if (++rowsInPart >= maxRowsPerPart) flush();
    }

    /** Closes the part being written: its footer written, forced to disk, renamed, and the rename itself on disk. */
    @Override
    public void flush() {
        if (part == null) return;
        part.close();
        part = null;
        rowsInPart = 0;
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + dir, e);
        }
    }

    @Override
    public void close() {
        flush();
    }
}
