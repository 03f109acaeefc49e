package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fusion run --report FILE}: the run's results as the HTML page, written when the run ends. */
class RunReportTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("fusion run --simulate --report → the page names every model of the panel and every request of the run")
    void reportAtTheEnd() throws Exception {
        Path input = dir.resolve("rows.jsonl");
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rows.add("{\"id\":\"q" + i + "\",\"prompt\":\"Should a city adopt congestion pricing? Variant " + i + "\","
                    + "\"analysis_models\":[\"sim/alpha\",\"sim/beta\",\"sim/gamma\"],\"model\":\"sim/judge\"}");
        }
        Files.write(input, rows);
        Path report = dir.resolve("report.html");

        try (FusionProcess run = FusionProcess.start(dir, dir.resolve("out.log"), "run", input.toString(), "--out",
                dir.resolve("results.jsonl").toString(), "--simulate", "--state-dir", dir.resolve("state").toString(),
                "--report", report.toString())) {
            assertThat(run.waitFor(Duration.ofSeconds(180))).as(run.output()).isZero();
            assertThat(run.output()).contains("report in " + report);
        }

        String page = Files.readString(report);
        assertThat(page).contains("sim/alpha", "sim/beta", "sim/gamma", "sim/judge (judge)", "<svg");
        for (int i = 0; i < 6; i++) assertThat(page).contains("class=\"request-id\">q" + i + "<");
    }

    @Test
    @DisplayName("--report into a missing directory → exit 2 at once, naming the option, before the broker starts")
    void missingDirectory() throws Exception {
        Path input = Files.writeString(dir.resolve("rows.jsonl"), "{\"prompt\":\"q\"}\n");

        try (FusionProcess run = FusionProcess.start(dir, dir.resolve("out.log"), "run", input.toString(), "--out",
                dir.resolve("results.jsonl").toString(), "--simulate", "--state-dir", dir.resolve("state").toString(),
                "--report", dir.resolve("missing").resolve("report.html").toString())) {
            assertThat(run.waitFor(Duration.ofSeconds(60))).as(run.output()).isEqualTo(2);
            assertThat(run.output()).contains("--report").contains("does not exist").doesNotContain("\tat ").doesNotContain("bootstrap.servers=");
        }
    }
}
