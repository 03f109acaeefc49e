package fusion.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The build step: a current .avsc that cannot read what a release wrote fails `mvn verify`, saying what to fix. */
class SchemaEvolutionTest {
    static final Path CURRENT = Path.of("src/main/avro");
    private static final Path BROKEN = Path.of("src/test/resources/broken");

    @Test
    @DisplayName("every current .avsc reads what every release wrote (BACKWARD, by Avro's SchemaCompatibility)")
    void currentSchemasReadEveryRelease() {
        List<BackwardCompatibility.Problem> problems = BackwardCompatibility.check(SchemaFiles.parse(CURRENT), Releases.all());
        if (!problems.isEmpty()) {
            fail("a change to schemas/src/main/avro breaks records that a release wrote, which running jobs still hold in topics, "
                    + "changelogs and stores:\n" + String.join("\n", problems.stream().map(Object::toString).toList()));
        }
    }

    @Test
    @DisplayName("a new field without a default → caught, naming the file, the record, the field and the fix")
    void newFieldWithoutDefaultIsCaught() {
        var problems = BackwardCompatibility.check(releasedWithBrokenFiles(), Releases.all());
        assertThat(problems).anySatisfy(p -> {
            assertThat(p.file()).isEqualTo("common/d_CallOutcome.avsc");
            assertThat(p.record()).isEqualTo("fusion.schema.CallOutcome");
            assertThat(p.release()).isEqualTo("v0.1.0");
            assertThat(p.field()).isEqualTo("http_requests");
            assertThat(p.toString()).contains("give the new field a \"default\"");
        });
        // a record that embeds CallOutcome cannot read its released self either
        assertThat(problems).anySatisfy(p -> {
            assertThat(p.record()).isEqualTo("fusion.schema.PanelResponse");
            assertThat(p.field()).isEqualTo("outcome.http_requests");
        });
    }

    @Test
    @DisplayName("a new field deep inside a record (Deliberation.answers[].weight) → caught with its path")
    void nestedFieldWithoutDefaultIsCaught() {
        var problems = BackwardCompatibility.check(releasedWithBrokenFiles(), Releases.all());
        assertThat(problems).anySatisfy(p -> {
            assertThat(p.record()).isEqualTo("fusion.schema.Deliberation");
            assertThat(p.field()).isEqualTo("answers.weight");
        });
    }

    @Test
    @DisplayName("an enum symbol renamed, with no enum default → caught; the fix names the enum default")
    void droppedEnumSymbolIsCaught() {
        var problems = BackwardCompatibility.check(releasedWithBrokenFiles(), Releases.all());
        assertThat(problems).anySatisfy(p -> {
            assertThat(p.record()).isEqualTo("fusion.schema.FusionResult");
            assertThat(p.field()).isEqualTo("status");
            assertThat(p.what()).contains("error");
            assertThat(p.fix()).contains("give the enum a \"default\" symbol");
        });
    }

    @Test
    @DisplayName("the released files unchanged → no problem: the checker flags changes, not schemas")
    void unchangedReleaseIsCompatible() {
        assertThat(BackwardCompatibility.check(Releases.last().schemas(), Releases.all())).isEmpty();
    }

    @Test
    @DisplayName("ResultStatus has a default: a status added by a later release reads as error here, not as a failure to read")
    void resultStatusGrowsSafely() throws Exception {
        Schema current = SchemaFiles.parse(CURRENT).get("FusionResult.avsc");
        Schema status = current.getField("status").schema();
        assertThat(status.getEnumDefault()).isEqualTo("error");

        Schema later = new Schema.Parser().parse(
                "{\"type\": \"enum\", \"name\": \"ResultStatus\", \"namespace\": \"fusion.schema\", \"symbols\": [\"ok\", \"error\", \"degraded\"]}");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        var encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<Object>(later).write(new GenericData.EnumSymbol(later, "degraded"), encoder);
        encoder.flush();
        Object read = new GenericDatumReader<>(later, status).read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        assertThat(read.toString()).isEqualTo("error");
    }

    @Test
    @DisplayName("a v0.1.0 Deliberation, with its v0.1.0 FusionRequest and CallOutcome inside, reads under the current schema")
    void releasedNestedRecordReads() throws Exception {
        Release v010 = Releases.all().get(0);
        Schema writer = v010.record("fusion.schema.Deliberation").orElseThrow();
        GenericRecord deliberation = fromJson(writer, """
                {"request_id": "r1",
                 "request": {"request_id": "r1", "messages": [{"role": "user", "content": "hi"}], "analysis_models": ["a/x"],
                             "model": null, "final_model": null, "max_tool_calls": null, "max_completion_tokens": null, "reasoning": null,
                             "temperature": null, "tools": [], "turn_id": null, "metadata": {}, "received_at": null, "preset": null},
                 "panel_size": 1, "opened_at": 1, "deadline_at": 2,
                 "answers": [{"index": 0, "outcome": {"model": "a/x", "content": {"string": "yes"}, "reasoning": null,
                   "usage": {"prompt_tokens": 1, "completion_tokens": 2, "reasoning_tokens": 0, "cost": null},
                   "latency_ms": 5, "status_code": {"int": 200}, "error_kind": null, "error_message": null, "finish_reason": null,
                   "sources": [], "attempts": 1, "completed_at": 9, "reused": false}}]}
                """);
        Schema reader = SchemaFiles.parse(CURRENT).get("Deliberation.avsc");
        GenericRecord read = roundTrip(deliberation, writer, reader);
        GenericRecord outcome = (GenericRecord) ((GenericRecord) ((List<?>) read.get("answers")).get(0)).get("outcome");
        assertThat(outcome.get("content").toString()).isEqualTo("yes");
        for (Schema.Field added : reader.getField("answers").schema().getElementType().getField("outcome").schema().getFields()) {
            if (writer.getField("answers").schema().getElementType().getField("outcome").schema().getField(added.name()) == null) {
                // compared as text: Avro's GenericData.compare refuses maps
                assertThat(String.valueOf(outcome.get(added.name()))).as("%s, new since v0.1.0, takes its default", added.name())
                        .isEqualTo(String.valueOf(GenericData.get().getDefaultValue(added)));
            }
        }
    }

    /** A record in Avro's JSON encoding (every field present, union branches named). */
    private static GenericRecord fromJson(Schema schema, String json) throws java.io.IOException {
        return new GenericDatumReader<GenericRecord>(schema).read(null, DecoderFactory.get().jsonDecoder(schema, json));
    }

    /** Written in binary with {@code writer}, read back through schema resolution with {@code reader}. */
    private static GenericRecord roundTrip(GenericRecord record, Schema writer, Schema reader) throws java.io.IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        var encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(writer).write(record, encoder);
        encoder.flush();
        return new GenericDatumReader<GenericRecord>(writer, reader).read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    }

    /** Release v0.1.0's files, with those under test resources' broken/ put in their place. */
    private static Map<String, Schema> releasedWithBrokenFiles() {
        Map<String, String> texts = new LinkedHashMap<>();
        Path released = Path.of("src/main/releases", Releases.last().tag());
        for (String file : SchemaFiles.list(released)) {
            Path broken = BROKEN.resolve(file);
            texts.put(file, read(Files.exists(broken) ? broken : released.resolve(file)));
        }
        return SchemaFiles.parse(texts);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
