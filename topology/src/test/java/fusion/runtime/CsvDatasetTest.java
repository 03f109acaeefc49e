package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fusion.dataset.Dataset;
import fusion.dataset.DatasetColumns;
import fusion.dataset.DatasetException;
import fusion.dataset.DatasetFormat;
import fusion.intake.RequestFieldException;
import fusion.intake.RequestJson;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.topology.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CSV dataset read as requests: header names the columns, one row a request. */
class CsvDatasetTest {
    @TempDir
    Path dir;

    private final List<FusionResult> unreadable = new ArrayList<>();

    private Map<String, DatasetRows.Row> read(String csv) throws IOException {
        return read(csv, DatasetColumns.DEFAULT);
    }

    private Map<String, DatasetRows.Row> read(String csv, DatasetColumns columns) throws IOException {
        Path file = dir.resolve("questions.csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        return DatasetRows.read(new Dataset(file, DatasetFormat.of(file), columns), null, unreadable);
    }

    private static FusionRequest request(DatasetRows.Row row) {
        return Topics.REQUEST.decode(row.value());
    }

    @Test
    @DisplayName("csv columns named as the spec's parameters are the request's parameters")
    void parameterColumns() throws Exception {
        Map<String, DatasetRows.Row> rows = read("""
                id,prompt,analysis_models,model,final_model,temperature,max_completion_tokens,max_tool_calls,tools,turn_id
                q1,Is a carbon tax regressive?,a/one; b/two,j/judge,f/final,0.3,800,4,web_search,t-1
                """);

        assertThat(unreadable).isEmpty();
        FusionRequest r = request(rows.get("q1"));
        assertThat(r.getRequestId()).isEqualTo("q1");
        assertThat(r.getMessages()).hasSize(1);
        assertThat(r.getMessages().get(0).getRole()).isEqualTo("user");
        assertThat(r.getMessages().get(0).getContent()).isEqualTo("Is a carbon tax regressive?");
        assertThat(r.getAnalysisModels()).containsExactly("a/one", "b/two");
        assertThat(r.getModel()).isEqualTo("j/judge");
        assertThat(r.getFinalModel()).isEqualTo("f/final");
        assertThat(r.getTemperature()).isEqualTo(0.3);
        assertThat(r.getMaxCompletionTokens()).isEqualTo(800);
        assertThat(r.getMaxToolCalls()).isEqualTo(4);
        assertThat(r.getTools()).containsExactly("web_search");
        assertThat(r.getTurnId()).isEqualTo("t-1");
        assertThat(r.getMetadata()).isEmpty();
    }

    @Test
    @DisplayName("a blank tools cell leaves tools to the run's default; a cell of [] asks for no tools")
    void blankToolsIsNotEmptyTools() throws Exception {
        Map<String, DatasetRows.Row> rows = read("""
                id,prompt,tools
                blank,p,
                none,p,[]
                """);

        assertThat(request(rows.get("blank")).getTools()).isNull();
        assertThat(request(rows.get("none")).getTools()).isEmpty();
    }

    @Test
    @DisplayName("analysis_models is a list separated by commas or semicolons, or a JSON array")
    void modelLists() throws Exception {
        Map<String, DatasetRows.Row> rows = read("""
                id,prompt,analysis_models
                commas,p,"a/one, b/two"
                semicolons,p,a/one;b/two;
                json,p,"[""a/one"", ""b/two""]"
                """);

        for (String id : List.of("commas", "semicolons", "json")) {
            assertThat(request(rows.get(id)).getAnalysisModels()).as(id).containsExactly("a/one", "b/two");
        }
    }

    @Test
    @DisplayName("csv columns other than the request's go to metadata; an empty cell is absent")
    void otherColumnsToMetadata() throws Exception {
        Map<String, DatasetRows.Row> rows = read("""
                id,prompt,topic,source_row,model,reviewer
                q1,What is inflation?,economics,17,,
                """);

        FusionRequest r = request(rows.get("q1"));
        assertThat(r.getMetadata()).containsExactlyInAnyOrderEntriesOf(Map.of("topic", "economics", "source_row", "17"));
        assertThat(r.getModel()).isNull();
    }

    @Test
    @DisplayName("quoted cells keep their commas, quotes and newlines")
    void quotedCells() throws Exception {
        Map<String, DatasetRows.Row> rows = read("id,prompt,note\r\n"
                + "q1,\"Compare A, B and \"\"C\"\".\nAnswer in two lines.\",\"x, y\"\r\n"
                + "q2,plain,z\r\n");

        assertThat(rows).containsOnlyKeys("q1", "q2");
        FusionRequest r = request(rows.get("q1"));
        assertThat(r.getMessages().get(0).getContent()).isEqualTo("Compare A, B and \"C\".\nAnswer in two lines.");
        assertThat(r.getMetadata()).containsEntry("note", "x, y");
        assertThat(request(rows.get("q2")).getMessages().get(0).getContent()).isEqualTo("plain");
    }

    @Test
    @DisplayName("a row with no prompt is answered at once with invalid_request naming the row, its line and the column")
    void rowWithoutPrompt() throws Exception {
        Map<String, DatasetRows.Row> rows = read("""
                id,prompt,topic
                q1,"first
                question",a
                q2,,b
                q3,third,c
                """);

        assertThat(rows).containsOnlyKeys("q1", "q3");
        assertThat(unreadable).hasSize(1);
        FusionResult error = unreadable.get(0);
        assertThat(error.getRequestId()).isEqualTo("row-2");
        assertThat(error.getFailureReason()).isEqualTo("invalid_request");
        assertThat(error.getError()).isEqualTo("questions.csv row 2 (line 4) has no prompt: its 'prompt' cell is empty. "
                + "Fill it in, or name the column that holds the prompt with --prompt-column");
    }

    @Test
    @DisplayName("a row with more cells than the header names is answered at once, saying to quote commas")
    void rowWithTooManyCells() throws Exception {
        Map<String, DatasetRows.Row> rows = read("""
                id,prompt
                q1,one, with a comma
                q2,two
                """);

        assertThat(rows).containsOnlyKeys("q2");
        assertThat(unreadable).singleElement().satisfies(e -> {
            assertThat(e.getRequestId()).isEqualTo("row-1");
            assertThat(e.getError()).contains("row 1 (line 2) has 3 cells but the header names 2 columns").contains("quote");
        });
    }

    @Test
    @DisplayName("a csv without the prompt's column is refused as a whole, naming the columns it has")
    void noPromptColumn() {
        assertThatThrownBy(() -> read("id,question\nq1,why?\n"))
                .isInstanceOf(DatasetException.class)
                .hasMessage("questions.csv has no column 'prompt' for the prompt; its columns are id, question. "
                        + "Name the prompt's column with --prompt-column");
    }

    @Test
    @DisplayName("--prompt-column and --id-column name other columns; the id falls back to request_id")
    void otherColumnNames() throws Exception {
        Map<String, DatasetRows.Row> rows = read("""
                qid,request_id,question,prompt
                a1,,Why is the sky blue?,kept as metadata
                ,r2,Why is the sea blue?,
                """, new DatasetColumns("question", "qid"));

        assertThat(rows).containsOnlyKeys("a1", "r2");
        assertThat(request(rows.get("a1")).getMessages().get(0).getContent()).isEqualTo("Why is the sky blue?");
        assertThat(request(rows.get("a1")).getMetadata()).containsExactly(Map.entry("prompt", "kept as metadata"));
        assertThat(request(rows.get("r2")).getMessages().get(0).getContent()).isEqualTo("Why is the sea blue?");
    }

    @Test
    @DisplayName("without an id column a row's id is derived from its content: the same on every read, whatever the column order")
    void derivedIds() throws Exception {
        List<String> first = List.copyOf(read("prompt,topic\nfirst question,a\nsecond question,b\n").keySet());
        List<String> again = List.copyOf(read("prompt,topic\nfirst question,a\nsecond question,b\n").keySet());
        List<String> reordered = List.copyOf(read("topic,prompt\na,first question\nb,second question\n").keySet());

        assertThat(first).hasSize(2).allSatisfy(id -> assertThat(id).startsWith("row-"));
        assertThat(first.get(0)).isNotEqualTo(first.get(1));
        assertThat(again).isEqualTo(first);
        assertThat(reordered).isEqualTo(first);
    }

    @Test
    @DisplayName("a repeated id is sent once")
    void repeatedId() throws Exception {
        Map<String, DatasetRows.Row> rows = read("id,prompt\nq1,first\nq1,again\n");

        assertThat(rows).containsOnlyKeys("q1");
        assertThat(request(rows.get("q1")).getMessages().get(0).getContent()).isEqualTo("first");
    }

    @Test
    @DisplayName("a cell of the wrong type is sent as JSON, so the pipeline's invalid_request names the field")
    void wrongTypeCell() throws Exception {
        Map<String, DatasetRows.Row> rows = read("id,prompt,temperature\nq1,p,warm\n");

        String sent = new String(rows.get("q1").value(), StandardCharsets.UTF_8);
        assertThat(sent).contains("\"temperature\":\"warm\"");
        assertThatThrownBy(() -> RequestJson.parse(sent))
                .isInstanceOf(RequestFieldException.class)
                .hasMessageContaining("temperature");
    }

    @Test
    @DisplayName("a spreadsheet's byte-order mark does not hide the first column")
    void byteOrderMark() throws Exception {
        Map<String, DatasetRows.Row> rows = read("\uFEFFprompt,id\nhello,q1\n");

        assertThat(rows).containsOnlyKeys("q1");
    }
}
