package fusion.records;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * How a set of .avsc files is read: in load order, with one parser, so that a record that uses
 * another (a Deliberation embeds a FusionRequest) finds the version of the same set.
 */
public final class SchemaFiles {
    private SchemaFiles() {}

    /**
     * The order in which avro-maven-plugin parses our files: {@code common/} first (its imports), then
     * the rest, each alphabetical. The prefixes of the common files (a_, b_, ...) put a record before
     * the records that use it.
     */
    public static List<String> loadOrder(List<String> files) {
        Comparator<String> commonFirst = Comparator.comparing((String f) -> !f.startsWith("common/"));
        return files.stream().sorted(commonFirst.thenComparing(Comparator.naturalOrder())).toList();
    }

    /** The .avsc files under {@code dir}, as paths relative to it with '/', in load order. */
    public static List<String> list(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return loadOrder(files.filter(f -> f.toString().endsWith(".avsc"))
                    .map(f -> dir.relativize(f).toString().replace('\\', '/')).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every .avsc under {@code dir}, parsed in load order: each file's top-level schema, by file. */
    public static Map<String, Schema> parse(Path dir) {
        Map<String, String> texts = new LinkedHashMap<>();
        for (String file : list(dir)) {
            try {
                texts.put(file, Files.readString(dir.resolve(file), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return parse(texts);
    }

    /**
     * Parses {@code texts} (file → JSON) in the given order with one parser.
     *
     * @throws IllegalArgumentException naming the file that does not parse, and why
     */
    public static Map<String, Schema> parse(Map<String, String> texts) {
        Schema.Parser parser = new Schema.Parser();
        Map<String, Schema> schemas = new LinkedHashMap<>();
        List<String> done = new ArrayList<>();
        for (var file : texts.entrySet()) {
            try {
                schemas.put(file.getKey(), parser.parse(file.getValue()));
            } catch (SchemaParseException e) {
                throw new IllegalArgumentException(file.getKey() + " does not parse"
                        + (done.isEmpty() ? "" : " after " + String.join(", ", done)) + ": " + e.getMessage(), e);
            }
            done.add(file.getKey());
        }
        return schemas;
    }
}
