package fusion.records;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every released set of .avsc files, oldest first, as packaged in the schemas jar under
 * {@value #ROOT}: {@code index.txt} names each release and its files in load order.
 */
public final class Releases {
    public static final String ROOT = "/fusion/schema/releases/";
    private static final List<Release> ALL = read();

    private Releases() {}

    /** Oldest first. */
    public static List<Release> all() {
        return ALL;
    }

    /** The newest release. */
    public static Release last() {
        return ALL.get(ALL.size() - 1);
    }

    private static List<Release> read() {
        String index = resource("index.txt");
        List<Release> releases = new ArrayList<>();
        String tag = null;
        String commit = null;
        Map<String, String> files = new LinkedHashMap<>();
        for (String line : index.lines().map(String::strip).toList()) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] words = line.split("\\s+");
            if (words[0].equals("release")) {
                if (words.length != 3) throw new IllegalStateException(ROOT + "index.txt: \"" + line + "\" is not \"release <tag> <commit>\"");
                if (tag != null) releases.add(new Release(tag, commit, SchemaFiles.parse(files)));
                tag = words[1];
                commit = words[2];
                files = new LinkedHashMap<>();
            } else {
                if (tag == null) throw new IllegalStateException(ROOT + "index.txt: file " + line + " comes before any \"release <tag> <commit>\" line");
                files.put(line, resource(tag + "/" + line));
            }
        }
        if (tag != null) releases.add(new Release(tag, commit, SchemaFiles.parse(files)));
        if (releases.isEmpty()) throw new IllegalStateException(ROOT + "index.txt names no release");
        return List.copyOf(releases);
    }

    private static String resource(String path) {
        try (InputStream in = Releases.class.getResourceAsStream(ROOT + path)) {
            if (in == null) throw new IllegalStateException(ROOT + path + " is missing from the schemas jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
