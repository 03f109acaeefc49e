package fusion.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The results sink's file, line by line. */
final class ResultsFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResultsFile() {}

    /** Its complete lines: one being written while the sink runs is not one yet. */
    static List<JsonNode> lines(Path file) {
        if (!Files.exists(file)) return List.of();
        try {
            List<JsonNode> out = new ArrayList<>();
            String text = Files.readString(file);
            String complete = text.substring(0, text.lastIndexOf('\n') + 1);
            for (String line : complete.lines().toList()) out.add(JSON.readTree(line));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> ids(Path file) {
        return lines(file).stream().map(l -> l.get("request_id").asText()).toList();
    }
}
