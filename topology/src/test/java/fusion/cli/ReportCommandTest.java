package fusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.report.SmallResults;
import fusion.runtime.ResultSink;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code fusion report RESULTS [--html FILE]} as a user types it. */
class ReportCommandTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("fusion report RESULTS.parquet writes RESULTS.html beside it, naming every model and request")
    void besideResults() throws Exception {
        Path results = SmallResults.write(dir.resolve("results.parquet"), ResultSink.Format.PARQUET);

        int code = new CommandLine(new FusionCommand()).execute("report", results.toString());

        assertThat(code).isZero();
        String page = Files.readString(dir.resolve("results.html"));
        assertThat(page).startsWith("<!DOCTYPE html>").contains("a/one", "b/two", "c/three", "r1-split", "r4-all-failed");
    }

    @Test
    @DisplayName("--html into a missing directory → exit 2 before reading anything, and no page")
    void missingDirectory() throws Exception {
        Path results = SmallResults.write(dir.resolve("results.jsonl"), ResultSink.Format.JSONL);
        Path page = dir.resolve("no-such-dir").resolve("report.html");

        int code = new CommandLine(new FusionCommand()).execute("report", results.toString(), "--html", page.toString());

        assertThat(code).isEqualTo(2);
        assertThat(page).doesNotExist();
    }
}
