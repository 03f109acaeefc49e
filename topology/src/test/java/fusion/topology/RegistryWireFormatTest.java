package fusion.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.records.Releases;
import fusion.registry.SchemaRegistry;
import fusion.schema.CallOutcome;
import fusion.schema.Message;
import fusion.schema.TokenUsage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Confluent's wire format, written and read by our serdes against a scripted registry. */
class RegistryWireFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MockWebServer server;
    private WireFormat format;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
        format = WireFormat.from(Map.of(WireFormat.REGISTRY_URL, server.url("/").toString()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static MockResponse answer(String body) {
        return new MockResponse.Builder().code(200).setHeader("Content-Type", SchemaRegistry.CONTENT_TYPE).body(body).build();
    }

    @Test
    @DisplayName("byte for byte as the wire-format spec says: 0x00, the schema id as 4 bytes big-endian, then the Avro binary record")
    void framingByteForByte() throws Exception {
        server.enqueue(answer("{\"id\": 298}"));
        AvroSerde<Message> serde = format.serde(Message.class);

        byte[] bytes = serde.serializer().serialize("fusion.messages", new Message("user", "hi"));

        // id 298 = 0x0000012A; Avro binary: string = zigzag varint length (4 → 0x08, 2 → 0x04), then UTF-8
        assertThat(bytes).containsExactly(0x00, 0x00, 0x00, 0x01, 0x2A, 0x08, 'u', 's', 'e', 'r', 0x04, 'h', 'i');
        RecordedRequest registered = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(registered.getUrl().encodedPath()).as("TopicNameStrategy: <topic>-value").isEqualTo("/subjects/fusion.messages-value/versions");
        assertThat(serde.deserializer().deserialize("fusion.messages", bytes)).isEqualTo(new Message("user", "hi"));
    }

    @Test
    @DisplayName("a framed record written with v0.1.0's CallOutcome is read by its id, through schema resolution: new fields at their defaults")
    void framedOlderSchemaReadsById() throws Exception {
        Schema released = Releases.all().get(0).record("fusion.schema.CallOutcome").orElseThrow();
        server.enqueue(answer(JSON.writeValueAsString(Map.of("schema", released.toString()))));
        GenericRecord old = new GenericData.Record(released);
        old.put("model", "sim/alpha");
        old.put("content", "yes");
        GenericRecord usage = new GenericData.Record(released.getField("usage").schema());
        usage.put("prompt_tokens", 1L);
        usage.put("completion_tokens", 2L);
        usage.put("reasoning_tokens", 0L);
        old.put("usage", usage);
        old.put("latency_ms", 5L);
        old.put("sources", new ArrayList<String>());
        old.put("attempts", 1);
        old.put("completed_at", 9L);
        old.put("reused", false);
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        var encoder = EncoderFactory.get().binaryEncoder(payload, null);
        new GenericDatumWriter<GenericRecord>(released).write(old, encoder);
        encoder.flush();
        byte[] framed = fusion.registry.RegistryFraming.frame(17, payload.toByteArray());

        CallOutcome read = format.serde(CallOutcome.class).decode(framed);

        assertThat(read.getModel()).isEqualTo("sim/alpha");
        assertThat(read.getContent()).isEqualTo("yes");
        assertThat(read.getUsage().getCompletionTokens()).isEqualTo(2);
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getUrl().encodedPath()).isEqualTo("/schemas/ids/17");
        format.serde(CallOutcome.class).decode(framed);
        assertThat(server.getRequestCount()).as("the id's schema is asked for once").isEqualTo(1);
    }

    @Test
    @DisplayName("a serde with a registry still reads single-object records, and one without reads none framed, naming the setting")
    void bothEncodingsAreRead() {
        CallOutcome outcome = CallOutcome.newBuilder().setModel("sim/beta").setContent("no").setUsage(new TokenUsage(1L, 1L, 0L, null, 0L, null)).build();
        byte[] singleObject = Topics.CALL_OUTCOME.encode(outcome);
        assertThat(format.serde(CallOutcome.class).decode(singleObject)).isEqualTo(outcome);

        byte[] framed = fusion.registry.RegistryFraming.frame(5, new byte[] {0x02});
        assertThatThrownBy(() -> Topics.CALL_OUTCOME.decode(framed)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("schema id 5").hasMessageContaining("fusion.schema-registry.url");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    @DisplayName("schema id of another record → an error naming both records")
    void framedOtherRecordIsRefused() throws Exception {
        server.enqueue(answer(JSON.writeValueAsString(Map.of("schema", Message.getClassSchema().toString()))));

        assertThatThrownBy(() -> format.serde(CallOutcome.class).decode(fusion.registry.RegistryFraming.frame(8, new byte[] {0x02, 'a'})))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("schema id 8").hasMessageContaining("fusion.schema.Message").hasMessageContaining("fusion.schema.CallOutcome");
    }

    @Test
    @DisplayName("'{' → JSON where the topic takes it; elsewhere an error that names the three encodings it could have been")
    void jsonByFirstByte() {
        AvroSerde<Message> jsonToo = format.serde(Message.class).acceptingJson(bytes -> new Message("user", new String(bytes, StandardCharsets.UTF_8)));
        assertThat(jsonToo.decode("  {\"q\": 1}".getBytes(StandardCharsets.UTF_8)).getContent()).isEqualTo("  {\"q\": 1}");

        assertThatThrownBy(() -> format.serde(Message.class).decode("{\"q\": 1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("0xC3 0x01").hasMessageContaining("magic byte 0")
                .hasMessageContaining("first byte 0x7B");
    }

    @Test
    @DisplayName("no fusion.schema-registry.url → single-object encoding, as before")
    void withoutRegistrySingleObject() {
        byte[] bytes = WireFormat.from(Map.of()).serde(Message.class).serializer().serialize("fusion.messages", new Message("user", "hi"));
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
    }
}
