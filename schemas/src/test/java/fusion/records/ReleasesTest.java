package fusion.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The released .avsc files: all of them packaged, in load order, unchanged since their tag. */
class ReleasesTest {
    private static final Path RELEASES = Path.of("src/main/releases");

    @Test
    @DisplayName("index.txt lists each release's files, exactly those in its folder, in load order")
    void indexListsEveryReleasedFileInLoadOrder() throws Exception {
        List<String> folders = new ArrayList<>();
        try (var dirs = Files.list(RELEASES)) {
            dirs.filter(Files::isDirectory).forEach(d -> folders.add(d.getFileName().toString()));
        }
        assertThat(Releases.all()).extracting(Release::tag).containsExactlyInAnyOrderElementsOf(folders);
        for (Release release : Releases.all()) {
            assertThat(release.files()).as("files of %s in index.txt", release.tag()).containsExactlyElementsOf(SchemaFiles.list(RELEASES.resolve(release.tag())));
        }
    }

    @Test
    @DisplayName("every released file is byte for byte the file at its tag's commit")
    void releasedFilesAreUnchanged() throws Exception {
        for (Release release : Releases.all()) {
            for (String file : release.files()) {
                byte[] atCommit = git("show", release.commit() + ":schemas/src/main/avro/" + file);
                assertThat(Files.readAllBytes(RELEASES.resolve(release.tag()).resolve(file)))
                        .as("%s/%s: a released file never changes; the change belongs in schemas/src/main/avro", release.tag(), file)
                        .isEqualTo(atCommit);
            }
        }
    }

    @Test
    @DisplayName("the store resolves every released record by its fingerprint, and, asked for one record, only that record's versions")
    void storeResolvesEveryReleasedRecord() {
        WriterSchemas store = WriterSchemas.all();
        for (Release release : Releases.all()) {
            for (Schema schema : release.schemas().values()) {
                assertThat(store.findByFingerprint(WriterSchemas.fingerprint(schema))).isEqualTo(schema);
            }
        }
        assertThat(store.findByFingerprint(42L)).isNull();
        Schema releasedTask = Releases.last().record("fusion.schema.PanelTask").orElseThrow();
        assertThat(store.of("fusion.schema.PanelTask").findByFingerprint(WriterSchemas.fingerprint(releasedTask))).isEqualTo(releasedTask);
        assertThat(store.of("fusion.schema.FusionRequest").findByFingerprint(WriterSchemas.fingerprint(releasedTask)))
                .as("a PanelTask is no version of a FusionRequest").isNull();
    }

    /** git's output, or the test is skipped where there is no git history (a source archive). */
    private static byte[] git(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process git;
        try {
            git = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (java.io.IOException noGit) {
            Assumptions.abort("no git on this machine");
            return null;
        }
        byte[] out = git.getInputStream().readAllBytes();
        git.waitFor(30, TimeUnit.SECONDS);
        Assumptions.assumeTrue(git.exitValue() == 0, "no git history here: " + String.join(" ", command));
        return out;
    }
}
