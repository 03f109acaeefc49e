package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.dataset.Dataset;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.topology.Topics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Parquet dataset, written here with parquet-avro as any Parquet writer would, read as requests. */
class ParquetDatasetTest {
    private static final Schema DATE = LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
    private static final Schema ROWS = SchemaBuilder.record("question").fields()
            .requiredString("id")
            .optionalString("prompt")
            .name("analysis_models").type().array().items().stringType().noDefault()
            .optionalDouble("temperature")
            .optionalInt("max_tool_calls")
            .requiredString("topic")
            .requiredLong("source_row")
            .name("asked_on").type(DATE).noDefault()
            .endRecord();

    @TempDir
    Path dir;

    private Path dataset(List<GenericRecord> rows) throws IOException {
        Path file = dir.resolve("questions.parquet");
        try (ParquetWriter<GenericRecord> writer = AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
                .withSchema(ROWS).withConf(new PlainParquetConfiguration()).build()) {
            for (GenericRecord row : rows) writer.write(row);
        }
        return file;
    }

    private static GenericRecord row(String id, String prompt, List<String> models, Double temperature, Integer maxToolCalls) {
        GenericRecord r = new GenericData.Record(ROWS);
        r.put("id", id);
        r.put("prompt", prompt);
        r.put("analysis_models", models);
        r.put("temperature", temperature);
        r.put("max_tool_calls", maxToolCalls);
        r.put("topic", "economics");
        r.put("source_row", 7L);
        r.put("asked_on", (int) LocalDate.of(2026, 1, 15).toEpochDay());
        return r;
    }

    @Test
    @DisplayName("parquet columns named as parameters are the request's, typed columns kept; other columns go to metadata as text")
    void parquetRowsAreRequests() throws Exception {
        Path file = dataset(List.of(
                row("q1", "Is a carbon tax regressive?", List.of("a/one", "b/two"), 0.4, 3),
                row("q2", "What is inflation?", List.of(), null, null)));
        List<FusionResult> unreadable = new ArrayList<>();

        Map<String, DatasetRows.Row> rows = DatasetRows.read(Dataset.of(file), null, unreadable);

        assertThat(unreadable).isEmpty();
        assertThat(rows).containsOnlyKeys("q1", "q2");
        FusionRequest q1 = Topics.REQUEST.decode(rows.get("q1").value());
        assertThat(q1.getMessages().get(0).getContent()).isEqualTo("Is a carbon tax regressive?");
        assertThat(q1.getAnalysisModels()).containsExactly("a/one", "b/two");
        assertThat(q1.getTemperature()).isEqualTo(0.4);
        assertThat(q1.getMaxToolCalls()).isEqualTo(3);
        assertThat(q1.getMetadata()).containsExactlyInAnyOrderEntriesOf(
                Map.of("topic", "economics", "source_row", "7", "asked_on", "2026-01-15"));
        FusionRequest q2 = Topics.REQUEST.decode(rows.get("q2").value());
        assertThat(q2.getAnalysisModels()).isEmpty();
        assertThat(q2.getTemperature()).isNull();
    }

    @Test
    @DisplayName("a parquet file written without an Avro schema, as pyarrow, DuckDB and Spark write: list columns are lists, local timestamps ISO text")
    void parquetFromOtherWriters() throws Exception {
        MessageType schema = MessageTypeParser.parseMessageType("""
                message spark_schema {
                  required binary prompt (STRING);
                  optional group analysis_models (LIST) { repeated group list { optional binary element (STRING); } }
                  optional int64 asked_at (TIMESTAMP(MICROS,false));
                }""");
        Path file = dir.resolve("exported.parquet");
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
                .withConf(new PlainParquetConfiguration()).withType(schema).build()) {
            Group row = new SimpleGroupFactory(schema).newGroup().append("prompt", "Why is the sky blue?")
                    .append("asked_at", LocalDateTime.of(2026, 1, 15, 9, 30).toEpochSecond(ZoneOffset.UTC) * 1_000_000);
            Group models = row.addGroup("analysis_models");
            models.addGroup("list").append("element", "a/one");
            models.addGroup("list").append("element", "b/two");
            writer.write(row);
        }

        Map<String, DatasetRows.Row> rows = DatasetRows.read(Dataset.of(file), null, new ArrayList<>());

        FusionRequest request = Topics.REQUEST.decode(rows.values().iterator().next().value());
        assertThat(request.getAnalysisModels()).containsExactly("a/one", "b/two");
        assertThat(request.getMetadata()).containsExactly(Map.entry("asked_at", "2026-01-15T09:30"));
    }

    @Test
    @DisplayName("a parquet row with no prompt is answered at once with invalid_request naming the row and the column")
    void rowWithoutPrompt() throws Exception {
        Path file = dataset(List.of(row("q1", "one", List.of(), null, null), row("q2", null, List.of(), null, null)));
        List<FusionResult> unreadable = new ArrayList<>();

        Map<String, DatasetRows.Row> rows = DatasetRows.read(Dataset.of(file), "b-1", unreadable);

        assertThat(rows).containsOnlyKeys("q1");
        assertThat(Topics.REQUEST.decode(rows.get("q1").value()).getMetadata()).containsEntry(DatasetRows.BATCH_ID, "b-1");
        assertThat(unreadable).singleElement().satisfies(e -> {
            assertThat(e.getRequestId()).isEqualTo("row-2");
            assertThat(e.getFailureReason()).isEqualTo("invalid_request");
            assertThat(e.getError()).startsWith("questions.parquet row 2 has no prompt: its 'prompt' cell is empty");
        });
    }
}
