package fusion.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.results.ResultJson;
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
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The results as a JSONL file, appended to: one result per line in the spec's JSON shape, as fusion run writes it. */
final class JsonlResultsFile implements ResultsOutput {
    private static final Logger log = LoggerFactory.getLogger(JsonlResultsFile.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Set<String> written = new HashSet<>();
    private final FileChannel channel;
    private final BufferedWriter out;

    JsonlResultsFile(Path file) throws IOException {
        this.file = file;
        if (Files.isDirectory(file)) {
            throw new ConnectException(file + " (" + ResultsSinkConfig.FILE + ") is a directory; a JSONL results file is a file: "
                    + "point the setting at a file, or end it in .parquet for a Parquet dataset directory");
        }
        if (Files.exists(file)) readWritten();
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        out = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8));
    }

    @Override
    public Set<String> written() {
        return written;
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

    @Override
    public void write(FusionResult result) {
        try {
            out.write(ResultJson.toJson(result));
            out.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + file, e);
        }
    }

    @Override
    public void flush() {
        try {
            out.flush();
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            flush();
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        }
    }
}
