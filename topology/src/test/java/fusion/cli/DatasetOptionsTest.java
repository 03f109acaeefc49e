package fusion.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fusion.dataset.Dataset;
import fusion.dataset.DatasetColumns;
import fusion.dataset.DatasetFormat;
import fusion.runtime.ResultSink;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The dataset and results-file options as fusion run, submit and collect parse them. */
class DatasetOptionsTest {
    @Test
    @DisplayName("without options the formats follow the files' extensions and the columns are prompt and id")
    void byExtension() {
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs("questions.csv", "--out", "results.parquet");

        assertThat(run.dataset.of(run.input)).isEqualTo(new Dataset(Path.of("questions.csv"), DatasetFormat.CSV, DatasetColumns.DEFAULT));
        assertThat(run.results.formatOf(run.out)).isEqualTo(ResultSink.Format.PARQUET);
    }

    @Test
    @DisplayName("--input-format and --output-format win over the extensions, in any case; the column options name the columns")
    void named() {
        SubmitCommand submit = new SubmitCommand();
        new CommandLine(submit).parseArgs("export.txt", "--bootstrap-servers", "k:9092",
                "--input-format", "Parquet", "--prompt-column", "question", "--id-column", "qid");
        CollectCommand collect = new CollectCommand();
        new CommandLine(collect).parseArgs("--out", "results.data", "--bootstrap-servers", "k:9092", "--output-format", "PARQUET");

        assertThat(submit.dataset.of(submit.input))
                .isEqualTo(new Dataset(Path.of("export.txt"), DatasetFormat.PARQUET, new DatasetColumns("question", "qid")));
        assertThat(collect.results.formatOf(collect.out)).isEqualTo(ResultSink.Format.PARQUET);
    }

    @Test
    @DisplayName("an unknown format is refused, naming the formats there are")
    void unknownFormat() {
        assertThatThrownBy(() -> new CommandLine(new RunCommand()).parseArgs("q.csv", "--out", "r.jsonl", "--output-format", "csv"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("'csv' is not a format; use one of jsonl, parquet");
    }
}
