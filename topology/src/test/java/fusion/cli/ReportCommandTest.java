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

    @Test
    @DisplayName("--grades GRADES (fusion eval --out's file) → the page has the eval table: a row per model and one for fused, the best single model named")
    void gradesTable() throws Exception {
        Path results = SmallResults.write(dir.resolve("results.jsonl"), ResultSink.Format.JSONL);
        Path grades = dir.resolve("grades.jsonl");
        Files.write(grades, java.util.List.of(
                grade("r1-split", "a/one", 0.9), grade("r1-split", "b/two", 0.4), grade("r1-split", "fused", 1.0),
                grade("r2", "a/one", 0.7), grade("r2", "b/two", 0.8), grade("r2", "fused", 0.6)));

        int code = FusionCommand.commandLine().execute("report", results.toString(), "--grades", grades.toString());

        assertThat(code).isZero();
        String page = Files.readString(dir.resolve("results.html"));
        String table = page.substring(page.indexOf("<section id=\"eval\">"), page.indexOf("<section id=\"requests\">"));
        assertThat(table).contains("<td>a/one</td>", "<td>b/two</td>", "<td>fused</td>", "80.0%", "a/one.");
        assertThat(page.indexOf("<section id=\"eval\">")).isPositive();
    }

    @Test
    @DisplayName("a grades line that is no grade → exit 2 naming the file and line; without --grades the page has no eval table")
    void badGrades() throws Exception {
        Path results = SmallResults.write(dir.resolve("results.jsonl"), ResultSink.Format.JSONL);
        Path grades = dir.resolve("grades.jsonl");
        Files.write(grades, java.util.List.of(grade("r2", "a/one", 0.7), "{\"score\": 1}"));
        java.io.StringWriter err = new java.io.StringWriter();

        CommandLine command = FusionCommand.commandLine();
        command.setErr(new java.io.PrintWriter(err));
        int code = command.execute("report", results.toString(), "--grades", grades.toString());
        int plain = FusionCommand.commandLine().execute("report", results.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains(grades + " line 2 is no grade");
        assertThat(plain).isZero();
        assertThat(Files.readString(dir.resolve("results.html"))).doesNotContain("<section id=\"eval\">");
    }

    private static String grade(String id, String answer, double score) {
        return "{\"request_id\":\"" + id + "\",\"answer\":\"" + answer + "\",\"grader\":\"sim/grader\",\"score\":" + score
                + ",\"answer_cost\":0.001,\"grading_cost\":0.0005}";
    }
}
