package fusion.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import fusion.schema.Message;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** schemas/README.md's load order and fingerprints, for readers in other languages, never stale. */
class SchemaReadmeTest {
    private static final Path README = Path.of("README.md");
    private static final String START = "<!-- generated: start -->";
    private static final String END = "<!-- generated: end -->";

    @Test
    @DisplayName("README.md lists the current load order and each record's fingerprint, current and released, as the .avsc files give them")
    void readmeMatchesTheSchemas() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        if (start < 0 || end < start) fail("schemas/README.md lacks the lines " + START + " and " + END + " that the generated part goes between");
        String updated = readme.substring(0, start + START.length()) + "\n" + generated() + readme.substring(end);
        if (updated.equals(readme)) return;
        if (Boolean.getBoolean("schemas.readme.update")) {
            Files.writeString(README, updated, StandardCharsets.UTF_8);
            return;
        }
        fail("schemas/README.md is out of date with the .avsc files (their load order or fingerprints changed). Rewrite it with\n"
                + "  mvn -B -o -pl schemas test -Dtest=SchemaReadmeTest -Dschemas.readme.update=true\nand commit it. The generated part should be:\n"
                + generated());
    }

    @Test
    @DisplayName("the wire bytes listed are those Avro's single-object encoder writes after C3 01")
    void wireBytesAreWhatTheEncoderWrites() throws Exception {
        ByteBuffer encoded = new BinaryMessageEncoder<Message>(SpecificData.get(), Message.getClassSchema()).encode(new Message("user", "hi"));
        StringBuilder wire = new StringBuilder();
        for (int i = 2; i < 10; i++) wire.append(i > 2 ? " " : "").append(String.format(Locale.ROOT, "%02x", encoded.get(i)));
        assertThat(encoded.get(0)).isEqualTo((byte) 0xC3);
        assertThat(encoded.get(1)).isEqualTo((byte) 0x01);
        assertThat(wire.toString()).isEqualTo(row("current", Message.getClassSchema())[2]);
    }

    private static String generated() {
        Map<String, Schema> current = SchemaFiles.parse(SchemaEvolutionTest.CURRENT);
        StringBuilder out = new StringBuilder();
        out.append("### Load order (current)\n\n");
        current.keySet().forEach(file -> out.append("1. `").append(file).append("`\n"));
        for (Release release : Releases.all()) {
            if (!release.files().equals(List.copyOf(current.keySet()))) {
                out.append("\n### Load order (").append(release.tag()).append(")\n\n");
                release.files().forEach(file -> out.append("1. `").append(file).append("`\n"));
            }
        }
        out.append("\n### Fingerprints\n\n")
                .append("CRC-64-AVRO of each record's Parsing Canonical Form; *on the wire* is bytes 2 to 9 of a single-object encoded record.\n\n")
                .append("| record | version | fingerprint | on the wire |\n| --- | --- | --- | --- |\n");
        Map<String, List<String[]>> rows = new LinkedHashMap<>();
        current.values().forEach(s -> rows.computeIfAbsent(s.getFullName(), k -> new ArrayList<>()).add(row("current", s)));
        List<Release> newestFirst = new ArrayList<>(Releases.all());
        java.util.Collections.reverse(newestFirst);
        for (Release release : newestFirst) {
            release.schemas().values().forEach(s -> rows.computeIfAbsent(s.getFullName(), k -> new ArrayList<>()).add(row(release.tag(), s)));
        }
        rows.forEach((name, versions) -> versions.forEach(v ->
                out.append("| `").append(name).append("` | ").append(v[0]).append(" | `").append(v[1]).append("` | `").append(v[2]).append("` |\n")));
        return out.toString();
    }

    private static String[] row(String version, Schema schema) {
        long fingerprint = WriterSchemas.fingerprint(schema);
        StringBuilder wire = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i > 0) wire.append(' ');
            wire.append(String.format(Locale.ROOT, "%02x", (fingerprint >>> (8 * i)) & 0xff));
        }
        return new String[] {version, String.format(Locale.ROOT, "0x%016x", fingerprint), wire.toString()};
    }
}
