package fusion.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fusion.records.Releases;
import fusion.records.WriterSchemas;
import fusion.schema.CallOutcome;
import fusion.schema.Deliberation;
import fusion.schema.PanelAnswer;
import fusion.schema.TokenUsage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Records written by a released build decode under the current schemas; records of no known schema fail with a reason. */
class AvroSerdeTest {
    private static final Schema RELEASED_OUTCOME = Releases.all().get(0).record("fusion.schema.CallOutcome").orElseThrow();
    private static final Schema RELEASED_DELIBERATION = Releases.all().get(0).record("fusion.schema.Deliberation").orElseThrow();

    @Test
    @DisplayName("a CallOutcome written by v0.1.0 (the completed-calls store) decodes; fields new since then take their defaults")
    void releasedCallOutcomeDecodes() throws Exception {
        assertThat(WriterSchemas.fingerprint(RELEASED_OUTCOME)).as("the current CallOutcome differs from v0.1.0's, or this proves nothing")
                .isNotEqualTo(WriterSchemas.fingerprint(CallOutcome.getClassSchema()));
        byte[] written = asReleasedBuildWrites(outcome("sim/alpha", "yes"), RELEASED_OUTCOME);

        CallOutcome read = Topics.CALL_OUTCOME.decode(written);

        assertThat(read.getModel()).isEqualTo("sim/alpha");
        assertThat(read.getContent()).isEqualTo("yes");
        assertThat(read.getUsage().getCompletionTokens()).isEqualTo(7);
        for (Schema.Field added : CallOutcome.getClassSchema().getFields()) {
            if (RELEASED_OUTCOME.getField(added.name()) != null) continue;
            assertThat(read.get(added.name())).as("%s, new since v0.1.0", added.name()).isEqualTo(SpecificData.getForClass(CallOutcome.class).getDefaultValue(added));
        }
    }

    @Test
    @DisplayName("a Deliberation written by v0.1.0 (the join's changelog), its v0.1.0 request and outcomes inside, decodes")
    void releasedDeliberationDecodes() throws Exception {
        Deliberation open = Deliberation.newBuilder()
                .setRequestId("r1").setRequest(Requests.ask("r1", "Which is better?", "sim/alpha", "sim/beta").build())
                .setPanelSize(2).setOpenedAt(1).setDeadlineAt(2)
                .setAnswers(new ArrayList<>(List.of(new PanelAnswer(0, outcome("sim/alpha", "A")), new PanelAnswer(1, outcome("sim/beta", "B")))))
                .build();

        Deliberation read = FusionTopology.DELIBERATION.decode(asReleasedBuildWrites(open, RELEASED_DELIBERATION));

        assertThat(read.getRequest().getMessages().get(0).getContent()).isEqualTo("Which is better?");
        assertThat(read.getAnswers()).extracting(a -> a.getOutcome().getContent()).containsExactly("A", "B");
    }

    @Test
    @DisplayName("a PanelTask's bytes given to the FusionRequest decoder → an error naming FusionRequest, not a PanelTask read as a request")
    void anotherRecordIsNotResolvedAsThisOne() {
        var task = fusion.schema.PanelTask.newBuilder().setRequestId("r1").setModel("sim/alpha").setIndex(0).setPanelSize(1)
                .setRequest(Requests.ask("r1", "q", "sim/alpha").build()).build();
        byte[] bytes = Topics.PANEL_TASK.encode(task);

        assertThatThrownBy(() -> Topics.REQUEST.decode(bytes)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("not a FusionRequest this build can read").hasMessageContaining("neither current nor released");
    }

    @Test
    @DisplayName("the current build's own records still round-trip")
    void currentRecordsRoundTrip() {
        CallOutcome outcome = outcome("sim/beta", "no");
        assertThat(Topics.CALL_OUTCOME.decode(Topics.CALL_OUTCOME.encode(outcome))).isEqualTo(outcome);
    }

    private static CallOutcome outcome(String model, String content) {
        return CallOutcome.newBuilder().setModel(model).setContent(content).setUsage(new TokenUsage(3L, 7L, 0L, null, 0L, null))
                .setStatusCode(200).setSources(new ArrayList<>()).build();
    }

    /** What a build with {@code released} as its schema wrote for this value: the same fields, that schema's fingerprint. */
    private static byte[] asReleasedBuildWrites(SpecificRecord value, Schema released) throws Exception {
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        var encoder = EncoderFactory.get().binaryEncoder(current, null);
        new SpecificDatumWriter<SpecificRecord>(value.getSchema()).write(value, encoder);
        encoder.flush();
        GenericRecord old = new GenericDatumReader<GenericRecord>(value.getSchema(), released)
                .read(null, DecoderFactory.get().binaryDecoder(current.toByteArray(), null));
        ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), released).encode(old);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
