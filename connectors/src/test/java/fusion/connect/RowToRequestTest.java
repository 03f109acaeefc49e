package fusion.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fusion.intake.RequestValidator;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.topology.Topics;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RowToRequestTest {
    /** A row as a JDBC source connector gives it: a table with a numeric id, the question, and other columns. */
    private static final Schema QUESTIONS = SchemaBuilder.struct().name("questions")
            .field("qid", Schema.INT64_SCHEMA)
            .field("question", Schema.OPTIONAL_STRING_SCHEMA)
            .field("analysis_models", Schema.OPTIONAL_STRING_SCHEMA)
            .field("temperature", Schema.OPTIONAL_STRING_SCHEMA)
            .field("topic", Schema.OPTIONAL_STRING_SCHEMA)
            .field("asked_on", Date.builder().optional().build())
            .build();

    private static final FusionConverter CONVERTER = converter();

    private static FusionConverter converter() {
        FusionConverter converter = new FusionConverter();
        converter.configure(Map.of(FusionConverter.RECORD, "request"), false);
        return converter;
    }

    private static RowToRequest<SourceRecord> smt(Map<String, String> settings) {
        RowToRequest<SourceRecord> smt = new RowToRequest<>();
        smt.configure(settings);
        return smt;
    }

    private static Struct question(long id, String question) {
        return new Struct(QUESTIONS).put("qid", id).put("question", question).put("analysis_models", "sim/alpha; sim/beta")
                .put("temperature", "0.5").put("topic", "economics").put("asked_on", new java.util.Date(20_000L * 86_400_000L));
    }

    private static SourceRecord row(Object value, Schema schema, long offset) {
        return new SourceRecord(Map.of("table", "questions"), Map.of("row", offset), "fusion.requests", null, null, null, schema, value);
    }

    /** What the SMT's record comes to on the requests topic, through FusionConverter. */
    private static FusionRequest written(SourceRecord record) {
        return Topics.REQUEST.decode(CONVERTER.fromConnectData(record.topic(), record.valueSchema(), record.value()));
    }

    @Test
    @DisplayName("a table row becomes a FusionRequest keyed by its id column: the prompt's column one user message, parameters typed, the rest metadata")
    void tableRow() {
        RowToRequest<SourceRecord> smt = smt(Map.of(RowToRequest.PROMPT_COLUMN, "question", RowToRequest.ID_COLUMN, "qid"));

        SourceRecord out = smt.apply(row(question(7, "Is a carbon tax regressive?"), QUESTIONS, 1));

        assertThat(out.key()).isEqualTo("7");
        assertThat(out.keySchema()).isEqualTo(Schema.STRING_SCHEMA);
        assertThat(out.valueSchema().name()).isEqualTo("fusion.schema.FusionRequest");
        FusionRequest request = written(out);
        assertThat(request.getRequestId()).isEqualTo("7");
        assertThat(request.getMessages()).extracting(m -> m.getRole() + ": " + m.getContent()).containsExactly("user: Is a carbon tax regressive?");
        assertThat(request.getAnalysisModels()).containsExactly("sim/alpha", "sim/beta");
        assertThat(request.getTemperature()).isEqualTo(0.5);
        assertThat(request.getMetadata()).isEqualTo(Map.of("topic", "economics", "asked_on", "2024-10-04"));
    }

    @Test
    @DisplayName("a schemaless row (a Map) reads the same; without an id it gets one derived from its content, the same on every read")
    void mapRowDerivedId() {
        RowToRequest<SourceRecord> smt = smt(Map.of());
        Map<String, Object> cells = new LinkedHashMap<>(Map.of("prompt", "Why Kafka?", "source", "faq"));

        SourceRecord first = smt.apply(row(cells, null, 1));
        SourceRecord again = smt.apply(row(new HashMap<>(cells), null, 9));
        SourceRecord other = smt.apply(row(Map.of("prompt", "Why Flink?", "source", "faq"), null, 2));

        assertThat((String) first.key()).startsWith("row-");
        assertThat(again.key()).isEqualTo(first.key());
        assertThat(other.key()).isNotEqualTo(first.key());
        FusionRequest request = written(first);
        assertThat(request.getRequestId()).isEqualTo(first.key());
        assertThat(request.getMetadata()).isEqualTo(Map.of("source", "faq"));
    }

    @Test
    @DisplayName("metadata.columns keeps only the columns it names; batch.id and preset go to every request; the batch leaves the id as it is, a preset makes another")
    void metadataBatchPreset() {
        Map<String, String> settings = Map.of(RowToRequest.PROMPT_COLUMN, "question", RowToRequest.METADATA_COLUMNS, "topic");
        SourceRecord plain = smt(settings).apply(row(question(3, "q"), QUESTIONS, 1));
        Map<String, String> batched = new HashMap<>(settings);
        batched.put(RowToRequest.BATCH_ID, "nov-26");
        Map<String, String> preset = new HashMap<>(settings);
        preset.put(RowToRequest.PRESET, "general-fast");

        FusionRequest inBatch = written(smt(batched).apply(row(question(3, "q"), QUESTIONS, 1)));
        FusionRequest underPreset = written(smt(preset).apply(row(question(3, "q"), QUESTIONS, 1)));

        assertThat(written(plain).getMetadata()).isEqualTo(Map.of("topic", "economics"));
        assertThat(inBatch.getMetadata()).isEqualTo(Map.of("topic", "economics", "batch_id", "nov-26"));
        assertThat(inBatch.getRequestId()).isEqualTo(plain.key());
        assertThat(underPreset.getPreset()).isEqualTo("general-fast");
        assertThat(underPreset.getRequestId()).as("the same question under another panel is another request").isNotEqualTo(plain.key());
    }

    @Test
    @DisplayName("rows with no request in them are not dropped: the pipeline answers each invalid_request, naming the row and the column")
    void badRowsAnswered() {
        RowToRequest<SourceRecord> smt = smt(Map.of(RowToRequest.PROMPT_COLUMN, "question", RowToRequest.ID_COLUMN, "qid"));
        Schema noQuestion = SchemaBuilder.struct().name("faq").field("qid", Schema.INT64_SCHEMA).field("text", Schema.STRING_SCHEMA).build();
        SourceRecord emptyCell = smt.apply(row(question(11, " "), QUESTIONS, 4));
        SourceRecord noColumn = smt.apply(row(new Struct(noQuestion).put("qid", 12L).put("text", "Why?"), noQuestion, 5));
        SourceRecord hotTemperature = smt.apply(row(question(13, "q").put("temperature", "hot"), QUESTIONS, 6));

        assertThat(List.of(emptyCell.key(), noColumn.key(), hotTemperature.key())).containsExactly("11", "12", "13");
        assertThat(written(emptyCell).getMetadata()).containsKey(RequestValidator.ROW_PROBLEM).containsEntry("topic", "economics");
        Map<String, FusionResult> answers = PipelineRecords.answers(List.of(written(emptyCell), written(noColumn), written(hotTemperature)));

        assertThat(answers.values()).allSatisfy(r -> {
            assertThat(r.getStatus().name()).isEqualTo("error");
            assertThat(r.getFailureReason()).isEqualTo("invalid_request");
        });
        assertThat(answers.get("11").getError())
                .isEqualTo("the row at {row=4} of {table=questions} has no prompt: its 'question' cell is empty. Fill it in, or name the column "
                        + "that holds the prompt with prompt.column");
        assertThat(answers.get("12").getError())
                .isEqualTo("the row at {row=5} of {table=questions} has no column 'question' for the prompt; its columns are qid, text. "
                        + "Name the prompt's column with prompt.column");
        assertThat(answers.get("13").getError()).startsWith("the row at {row=6} of {table=questions}: temperature is \"hot\"; it must be a number");
    }

    @Test
    @DisplayName("a value that is no row (text) → a DataException saying what the SMT takes and what to use for JSON lines")
    void notARow() {
        assertThatThrownBy(() -> smt(Map.of()).apply(row("{\"prompt\": \"q\"}", Schema.STRING_SCHEMA, 1)))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("takes a row, a Struct or a Map").hasMessageContaining("got a String")
                .hasMessageContaining("FusionConverter");
    }
}
