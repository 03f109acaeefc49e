package fusion.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A JSONL results file as a run leaves it, even one killed mid-write. */
final class ResultsFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResultsFile() {}

    /** The file's complete lines, by request id: a line cut short by the kill is not a result. */
    static Map<String, JsonNode> byId(Path file) throws Exception {
        Map<String, JsonNode> out = new HashMap<>();
        if (!Files.exists(file)) return out;
        for (String line : Files.readAllLines(file)) {
            try {
                JsonNode r = JSON.readTree(line);
                out.put(r.get("request_id").asText(), r);
            } catch (Exception partial) {
                // the last line of a killed run may be half written
            }
        }
        return out;
    }
}
