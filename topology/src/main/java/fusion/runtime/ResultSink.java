package fusion.runtime;

import fusion.results.ResultJson;
import fusion.schema.FusionResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where collected results go: a results file. */
public interface ResultSink extends AutoCloseable {
    void write(FusionResult result);

    /** Makes what was written so far durable, so a crash loses nothing already reported. */
    void flush();

    @Override
    void close();

    /** Keeps nothing: for reading results only to count them. */
    static ResultSink discard() {
        return new ResultSink() {
            @Override
            public void write(FusionResult result) {}

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
    }

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
}
