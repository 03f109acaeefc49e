package fusion.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** One JSON object a line, with the spec's parameter names; blank lines are skipped. */
final class JsonlDataset implements DatasetReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void read(Path file, DatasetColumns columns, Consumer<DatasetRow> rows) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = reader.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    rows.accept(DatasetRow.unreadable("line", n, file.getFileName() + " line " + n + " is not valid JSON: " + e.getOriginalMessage()));
                    continue;
                }
                if (node == null || !node.isObject()) {
                    rows.accept(DatasetRow.unreadable("line", n, file.getFileName() + " line " + n + " is not a JSON object; each line is one request"));
                    continue;
                }
                rows.accept(DatasetRow.readable("line", n, columns.renamed((ObjectNode) node)));
            }
        }
    }
}
