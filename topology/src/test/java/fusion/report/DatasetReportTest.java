package fusion.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fusion.dataset.DatasetException;
import fusion.report.DatasetReport.ModelFigures;
import fusion.runtime.ResultSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's figures, from a small results file whose counts are known by hand. */
class DatasetReportTest {
    @TempDir
    Path dir;

    private DatasetReport report(ResultSink.Format format) throws Exception {
        Path file = SmallResults.write(dir.resolve("results." + format.name().toLowerCase()), format);
        return DatasetReport.of("results", SavedResults.read(file));
    }

    @Test
    @DisplayName("per model: answers given, failures by reason, consensus sided with, contradictions, unique insights")
    void perModel() throws Exception {
        DatasetReport report = report(ResultSink.Format.JSONL);

        assertThat(report.models()).extracting(ModelFigures::model).containsExactly("a/one", "b/two", "c/three", "j/judge (judge)");
        ModelFigures one = report.model("a/one");
        assertThat(one.answers()).isEqualTo(3);
        assertThat(one.failures()).isEqualTo(Map.of("server_error", 1));
        assertThat(one.analysed()).isEqualTo(2);
        assertThat(one.sidedWithConsensus()).as("with the 2-1 majority in r1 (10 ms and 12 ms are one position); in r2's 1-1 tie no stance is the majority").isEqualTo(1);
        assertThat(one.contradictions()).isEqualTo(2);
        ModelFigures two = report.model("b/two");
        assertThat(two.answers()).isEqualTo(2);
        assertThat(two.failures()).isEqualTo(Map.of("timeout", 1, "server_error", 1));
        assertThat(two.sidedWithConsensus()).as("'Fast, about 12 ms' is a/one's 'fast, about 10 ms'").isEqualTo(1);
        ModelFigures three = report.model("c/three");
        assertThat(three.answers()).isEqualTo(1);
        assertThat(three.failures()).isEqualTo(Map.of("rate_limited", 1));
        assertThat(three.sidedWithConsensus()).as("the lone 'slow' in r1").isZero();
        assertThat(three.contradictions()).isEqualTo(1);
        assertThat(three.uniqueInsights()).isEqualTo(1);
    }

    @Test
    @DisplayName("latency and cost distributions per model come from its panel calls; a judge's calls have a row of their own")
    void distributions() throws Exception {
        DatasetReport report = report(ResultSink.Format.JSONL);

        ModelFigures one = report.model("a/one");
        assertThat(one.latencyMs().count()).isEqualTo(3);
        assertThat(one.latencyMs().min()).isEqualTo(100);
        assertThat(one.latencyMs().median()).isEqualTo(120);
        assertThat(one.latencyMs().max()).isEqualTo(140);
        assertThat(report.model("j/judge (judge)").latencyMs().max()).isEqualTo(500);
        assertThat(report.model("b/two").cost().max()).isEqualTo(0.002);
    }

    @Test
    @DisplayName("per dataset: status counts, consensus against contradictions, top topics, cost and tokens by stage")
    void perDataset() throws Exception {
        DatasetReport report = report(ResultSink.Format.JSONL);

        assertThat(report.statuses()).containsExactlyInAnyOrderEntriesOf(
                Map.of("ok", 2, DatasetReport.WITHOUT_ANALYSIS, 1, "error: all_panels_failed", 1));
        assertThat(report.consensusAgainstContradictions()).containsExactly(
                new DatasetReport.Bubble(1, 1, 1), new DatasetReport.Bubble(2, 1, 1));
        assertThat(report.topTopics()).as("'Speed' and 'speed ' are one topic").isEqualTo(Map.of("speed", 2));
        assertThat(report.stages()).extracting(DatasetReport.StageSplit::stage).containsExactly("panel", "judge");
        DatasetReport.StageSplit panel = report.stages().get(0);
        assertThat(panel.cost()).isCloseTo(0.010, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(panel.tokens()).isEqualTo(6 * 30);
        assertThat(report.requests()).extracting(DatasetReport.RequestView::requestId)
                .containsExactly("r1-split", "r2-tie", "r3-judge-failed", "r4-all-failed");
    }

    @Test
    @DisplayName("a Parquet results file gives the same report as its JSONL twin")
    void parquet() throws Exception {
        assertThat(report(ResultSink.Format.PARQUET)).isEqualTo(report(ResultSink.Format.JSONL));
    }

    @Test
    @DisplayName("the page escapes model output: an answer with </script><img onerror> shows as text")
    void escapes() throws Exception {
        String page = ReportPage.render(report(ResultSink.Format.JSONL));

        assertThat(page).doesNotContain("<img").doesNotContain("onerror=\"").contains("&lt;/script&gt;&lt;img");
        assertThat(page).as("one script element, the page's own").containsOnlyOnce("<script>");
        assertThat(page).doesNotContain("http://", "https://").contains("Content-Security-Policy");
    }

    @Test
    @DisplayName("a results file that is not one names its line and says what a results file holds")
    void notResults() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.jsonl"), "{\"request_id\":\"a\",\"status\":\"ok\"}\nnot json\n");

        assertThatThrownBy(() -> SavedResults.read(file)).isInstanceOf(DatasetException.class).hasMessageContaining("line 2")
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> SavedResults.read(dir.resolve("missing.jsonl"))).isInstanceOf(DatasetException.class)
                .hasMessageContaining("does not exist");
    }
}
