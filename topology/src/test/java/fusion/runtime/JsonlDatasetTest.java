package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.dataset.Dataset;
import fusion.dataset.DatasetColumns;
import fusion.dataset.DatasetFormat;
import fusion.schema.FusionResult;
import fusion.topology.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JSONL dataset, one request a line, and how a dataset's format is chosen. */
class JsonlDatasetTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a jsonl line that is no JSON object is answered at once under line-N; the others are requests")
    void unreadableLines() throws Exception {
        Path file = dir.resolve("questions.jsonl");
        Files.writeString(file, "{\"id\":\"q1\",\"prompt\":\"one\"}\n\n[1,2]\n{not json\n{\"id\":\"q1\",\"prompt\":\"again\"}\n");
        List<FusionResult> unreadable = new ArrayList<>();

        Map<String, DatasetRows.Row> rows = DatasetRows.read(file, null, unreadable);

        assertThat(rows).containsOnlyKeys("q1");
        assertThat(unreadable).extracting(FusionResult::getRequestId).containsExactly("line-3", "line-4", "q1~dup-line-5");
        assertThat(unreadable.get(0).getError()).startsWith("questions.jsonl line 3 is a JSON array, not an object");
        assertThat(unreadable.get(1).getError()).startsWith("questions.jsonl line 4 is not valid JSON");
        assertThat(unreadable.get(2).getFailureReason()).isEqualTo("duplicate_request_id");
    }

    @Test
    @DisplayName("--prompt-column and --id-column name a jsonl row's fields too")
    void otherFieldNames() throws Exception {
        Path file = dir.resolve("questions.ndjson");
        Files.writeString(file, "{\"qid\":\"a1\",\"question\":\"Why?\",\"topic\":\"sky\"}\n");

        Map<String, DatasetRows.Row> rows = DatasetRows.read(new Dataset(file, DatasetFormat.JSONL,
                new DatasetColumns("question", "qid")), null, new ArrayList<>());

        var request = Topics.REQUEST.decode(rows.get("a1").value());
        assertThat(request.getMessages().get(0).getContent()).isEqualTo("Why?");
        assertThat(request.getMetadata()).containsExactly(Map.entry("topic", "sky"));
    }

    @Test
    @DisplayName("a dataset's format is told by its extension: .csv, .parquet, and JSONL for anything else")
    void formatByExtension() {
        assertThat(DatasetFormat.of(Path.of("a.CSV"))).isEqualTo(DatasetFormat.CSV);
        assertThat(DatasetFormat.of(Path.of("dir/a.parquet"))).isEqualTo(DatasetFormat.PARQUET);
        assertThat(DatasetFormat.of(Path.of("a.jsonl"))).isEqualTo(DatasetFormat.JSONL);
        assertThat(DatasetFormat.of(Path.of("a.json"))).isEqualTo(DatasetFormat.JSONL);
        assertThat(DatasetFormat.of(Path.of("a.ndjson"))).isEqualTo(DatasetFormat.JSONL);
    }

    @Test
    @DisplayName("--preset → rows without a preset get it, and it is part of a derived id; a row's own preset stays")
    void presetForRowsThatNameNone() throws Exception {
        Path file = dir.resolve("questions.jsonl");
        Files.writeString(file, "{\"prompt\":\"Why?\"}\n{\"id\":\"own\",\"prompt\":\"How?\",\"preset\":\"general-high\"}\n");
        Dataset plain = Dataset.of(file);
        Dataset fast = new Dataset(file, DatasetFormat.JSONL, DatasetColumns.DEFAULT, "general-fast");

        Map<String, DatasetRows.Row> without = DatasetRows.read(plain, null, new ArrayList<>());
        Map<String, DatasetRows.Row> with = DatasetRows.read(fast, null, new ArrayList<>());

        String derived = with.keySet().stream().filter(id -> !id.equals("own")).findFirst().orElseThrow();
        assertThat(Topics.REQUEST.decode(with.get(derived).value()).getPreset()).isEqualTo("general-fast");
        assertThat(Topics.REQUEST.decode(with.get("own").value()).getPreset()).isEqualTo("general-high");
        assertThat(without.keySet()).as("the same question under another panel is another request").doesNotContain(derived);
    }
}
