package fusion.runtime;

import fusion.results.ResultJson;
import fusion.schema.FusionResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Where collected results go: a results file. */
public interface ResultSink extends AutoCloseable {
    void write(FusionResult result);

    /**
     * Makes what was written so far durable, so a crash loses nothing already reported. A Parquet
     * file cannot be read before its footer is written, so there it does nothing: see {@link #parquet}.
     */
    void flush();

    @Override
    void close();

    /** One result per line, in the spec's JSON shape. */
    static ResultSink jsonl(Path file) throws IOException {
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        return new ResultSink() {
            @Override
            public void write(FusionResult result) {
                try {
                    out.write(ResultJson.toJson(result));
                    out.newLine();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write results to " + file, e);
                }
            }

            @Override
            public void flush() {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write results to " + file, e);
                }
            }

            @Override
            public void close() {
                try {
                    out.close();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot close " + file, e);
                }
            }
        };
    }

    /** How a results file is laid out. Unless named, it is told by the file's extension. */
    enum Format {
        /** One result a line, in the spec's JSON shape (.jsonl, and any extension but .parquet). */
        JSONL,
        /** A flat table for analysts, with the full JSON in a column (.parquet). */
        PARQUET;

        public static Format of(Path file) {
            return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet") ? PARQUET : JSONL;
        }
    }

    static ResultSink open(Path file, Format format) throws IOException {
        return format == Format.PARQUET ? parquet(file) : jsonl(file);
    }

    /**
     * One row per result; the columns are {@link ParquetResults#SCHEMA}'s. The file is complete only
     * when the sink is closed: until then rows gather in a sibling {@code .partial} file, which close
     * moves over {@code file}, so a run that is stopped leaves the last complete file (or none), never
     * a broken one.
     */
    static ResultSink parquet(Path file) throws IOException {
        return new ParquetResults(file);
    }
}
