package fusion.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The configs in connectors/config as a user would take them: read from the shipped file, the settings that name
 * this machine's places (directory, file, broker) replaced, everything else as shipped.
 */
final class ShippedConfig {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Surefire runs in the module's directory. */
    static final Path DIR = Path.of("config");

    private ShippedConfig() {}

    static Map<String, String> properties(String name) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(DIR.resolve(name))) {
            p.load(r);
        }
        Map<String, String> out = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    /** The shipped {@code name} with {@code places} put in, written to {@code dir} in the same form (.properties or .json). */
    static Path placed(String name, Map<String, String> places, Path dir) throws IOException {
        Path out = dir.resolve(name);
        if (name.endsWith(".json")) {
            ObjectNode request = (ObjectNode) JSON.readTree(DIR.resolve(name).toFile());
            ObjectNode config = (ObjectNode) request.get("config");
            places.forEach((k, v) -> {
                if (!config.has(k)) throw new IllegalArgumentException(name + " has no setting " + k + " to put a place in");
                config.put(k, v);
            });
            JSON.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), request);
        } else {
            Map<String, String> config = properties(name);
            places.forEach((k, v) -> {
                if (!config.containsKey(k)) throw new IllegalArgumentException(name + " has no setting " + k + " to put a place in");
                config.put(k, v);
            });
            Properties p = new Properties();
            p.putAll(config);
            try (Writer w = Files.newBufferedWriter(out)) {
                p.store(w, "connectors/config/" + name + ", placed by the test");
            }
        }
        return out;
    }

    /** A JSON config's connector settings, name included. */
    static Map<String, String> json(String name) throws IOException {
        JsonNode request = JSON.readTree(DIR.resolve(name).toFile());
        Map<String, String> out = new LinkedHashMap<>();
        request.get("config").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        out.put("name", request.get("name").asText());
        return out;
    }
}
