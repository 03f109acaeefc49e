package fusion.topology;

import static fusion.topology.Requests.ask;
import static org.assertj.core.api.Assertions.assertThat;

import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The topic half of the bad-input catalogue: every kind of bad record on the requests topic, piped
 * through the topology. Each comes to one error result naming the field, or to the dead-letter topic
 * with the reason in a header; the pipeline goes on, and a good record after them all runs.
 */
class BadRecordCatalogueTest {
    private static final int MB = 1024 * 1024;
    private final SimulatedPipeline sim = new SimulatedPipeline();

    @AfterEach
    void close() {
        sim.close();
    }

    /** A record and what it must come to; a dead letter is told by its key, or by its reason when it has none. */
    record Sent(String name, String key, byte[] value, RecordHeaders headers, String id, BadInput.Outcome outcome, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Sent sent(String name, String key, byte[] value, String id, BadInput.Outcome outcome, String message) {
        return new Sent(name, key, value, new RecordHeaders(), id, outcome, message);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] avro(FusionRequest r) {
        return Topics.REQUEST.encode(r);
    }

    /** A valid single-object record of another schema: its fingerprint is not one the decoder knows. */
    private static byte[] foreignAvro() throws Exception {
        Schema order = SchemaBuilder.record("Order").namespace("shop").fields().requiredString("sku").endRecord();
        GenericRecord r = new GenericData.Record(order);
        r.put("sku", "A-1");
        ByteBuffer b = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), order).encode(r);
        return Arrays.copyOfRange(b.array(), b.position(), b.limit());
    }

    private static List<Sent> catalogue() throws Exception {
        BadInput.Outcome dlq = BadInput.Outcome.DEAD_LETTER;
        BadInput.Outcome bad = BadInput.Outcome.INVALID_REQUEST;
        List<Sent> k = new ArrayList<>();
        k.add(sent("raw bytes", "r-raw", new byte[] {0x7f, 0x01, 0x02}, null, dlq, "neither Avro single-object encoding"));
        byte[] whole = avro(ask("r-trunc", "q", "sim/alpha").build());
        k.add(sent("truncated Avro", "r-trunc", Arrays.copyOf(whole, whole.length / 2), null, dlq, "not a FusionRequest in Avro single-object encoding"));
        k.add(sent("Avro of a foreign schema", "r-foreign", foreignAvro(), null, dlq, "not a FusionRequest this build can read: Cannot resolve schema for fingerprint"));
        k.add(sent("only the Avro header", "r-header", new byte[] {(byte) 0xC3, 0x01}, null, dlq, "not a FusionRequest"));
        k.add(sent("Confluent framing without a registry", "r-confluent", BadInput.concat(new byte[] {0, 0, 0, 0, 7}, whole), null, dlq,
                "no registry is configured: set fusion.schema-registry.url"));
        k.add(sent("an empty value", "r-empty", new byte[0], null, dlq, "empty value"));
        k.add(sent("a null value (tombstone)", "r-tombstone", null, null, dlq, "the value is null (a tombstone); a tombstone is not a request"));
        k.add(sent("invalid JSON", "r-json", utf8("{\"request_id\":\"r-json\","), null, dlq, "the value is not valid JSON"));
        k.add(sent("a JSON array", "r-array", utf8("[{\"prompt\":\"q\"}]"), null, dlq, "the value is a JSON array, not an object"));
        k.add(sent("a JSON string", "r-string", utf8("\"why?\""), null, dlq, "the value is a JSON string, not an object"));
        k.add(sent("JSON nested 5000 deep", "r-deep", utf8(BadInput.nested(5000)), null, dlq, "nesting depth"));
        k.add(sent("invalid UTF-8, no readable object", "r-utf8", BadInput.withBytes("{\"prompt\":\"%s", (byte) 0xFF), null, dlq,
                "the value is not valid UTF-8: byte 0xFF"));
        k.add(sent("Latin-1 byte in JSON with an id", "r-latin1", BadInput.withBytes("{\"request_id\":\"r-latin1\",\"prompt\":\"caf%s\"}", (byte) 0xE9),
                "r-latin1", bad, "the value is not valid UTF-8: byte 0xE9 at byte offset 38 (column 39)"));
        k.add(sent("trailing garbage after a JSON object", "r-trailing", utf8(BadInput.good("r-trailing", "") + "}}"), "r-trailing", bad,
                "has more after its JSON object"));
        k.add(sent("a JSON key given twice", "r-dupkey", utf8("{\"request_id\":\"r-dupkey\",\"prompt\":\"a\",\"prompt\":\"b\"}"), "r-dupkey", bad,
                "gives a key twice"));
        k.add(sent("JSON after a UTF-8 byte-order mark", "r-bom", BadInput.withBytes("%s" + BadInput.good("r-bom", ""), (byte) 0xEF, (byte) 0xBB,
                (byte) 0xBF), "r-bom", BadInput.Outcome.OK, null));
        k.add(sent("no request_id and no key", null, avro(ask("", "q", "sim/alpha").build()), null, dlq,
                "request_id is missing and the record has no key"));
        k.add(sent("a null key, the id in the value", null, avro(ask("r-nokey", "q", "sim/alpha").build()), "r-nokey", BadInput.Outcome.OK, null));
        k.add(sent("a key other than request_id", "r-other-key", avro(ask("r-keyed", "q", "sim/alpha").build()), "r-keyed", bad,
                "record key 'r-other-key' differs from request_id 'r-keyed'"));
        RecordHeaders depth = new RecordHeaders();
        depth.add("x-openrouter-fusion-depth", utf8("1"));
        k.add(new Sent("fusion depth header 1", "r-depth", avro(ask("r-depth", "q", "sim/alpha").build()), depth, "r-depth", bad,
                "x-openrouter-fusion-depth is 1"));
        k.add(sent("a 3 MB Avro request", "r-huge-avro", avro(ask("r-huge-avro", "x".repeat(3 * MB), "sim/alpha").build()), "r-huge-avro", bad,
                "over the limit of 1,048,576 bytes"));
        k.add(sent("a 3 MB JSON request", "r-huge-json", utf8(BadInput.large("r-huge-json", 3 * MB)), "r-huge-json", bad,
                "over the limit of 1,048,576 bytes"));
        byte[] junk = new byte[3 * MB];
        Arrays.fill(junk, (byte) 0x7f);
        k.add(sent("3 MB of raw bytes", "r-huge-raw", junk, null, dlq, "neither Avro"));
        k.add(sent("temperature 3 in Avro", "r-temp", avro(ask("r-temp", "q", "sim/alpha").setTemperature(3.0).build()), "r-temp", bad,
                "temperature is 3.0; it must be between 0 and 2"));
        k.add(sent("9 models in Avro", "r-nine", avro(ask("r-nine", "q", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9").build()), "r-nine", bad,
                "analysis_models has 9 models"));
        k.add(sent("max_tool_calls 0 in Avro", "r-mtc", avro(ask("r-mtc", "q", "sim/alpha").setMaxToolCalls(0).build()), "r-mtc", bad,
                "max_tool_calls is 0; it must be between 1 and 16"));
        k.add(sent("the first request of a turn", "r-turn-1", avro(ask("r-turn-1", "q", "sim/alpha").setTurnId("t-1").build()), "r-turn-1",
                BadInput.Outcome.OK, null));
        k.add(sent("a second request in that turn", "r-turn-2", avro(ask("r-turn-2", "q2", "sim/alpha").setTurnId("t-1").build()), "r-turn-2",
                BadInput.Outcome.FUSION_INVOCATION_CAPPED, "fusion was already invoked in turn 't-1' (request 'r-turn-1')"));
        k.add(sent("a good request", "r-good", avro(ask("r-good", "q", "sim/alpha").build()), "r-good", BadInput.Outcome.OK, null));
        k.add(sent("the same request again", "r-good", avro(ask("r-good", "q", "sim/alpha").build()), "r-good", BadInput.Outcome.NONE, null));
        int n = 0;
        for (BadInput.Kind field : BadInput.badFields()) {
            String key = field.id().equals("derived") ? "r-derived-" + (++n) : field.id();
            k.add(sent(field.name() + " (JSON record)", key, field.bytes(), key, field.outcome(), field.message()));
        }
        k.add(sent("a good request after all of them", "r-last", avro(ask("r-last", "q", "sim/alpha").build()), "r-last", BadInput.Outcome.OK, null));
        return k;
    }

    @Test
    @DisplayName("every kind of bad record on the requests topic → an error result naming the field, or the DLQ with the reason; the pipeline goes on")
    void everyKindOfBadRecord() throws Exception {
        List<Sent> records = catalogue();
        for (Sent s : records) sim.pipeline.submitRaw(s.key(), s.value(), s.headers());

        for (Sent s : records) {
            if (s.outcome() != BadInput.Outcome.DEAD_LETTER && s.outcome() != BadInput.Outcome.NONE) sim.pipeline.awaitResult(s.id());
        }
        Map<String, List<FusionResult>> results = sim.pipeline.settle(java.time.Duration.ofMillis(200));
        Map<String, TestRecord<byte[], byte[]>> deadByKey = new HashMap<>();
        List<TestRecord<byte[], byte[]>> deadWithoutKey = new ArrayList<>();
        for (TestRecord<byte[], byte[]> d : sim.pipeline.deadLetters()) {
            if (d.key() == null) deadWithoutKey.add(d);
            else deadByKey.put(new String(d.key(), StandardCharsets.UTF_8), d);
        }

        SoftAssertions soft = new SoftAssertions();
        int deadLetters = 0;
        for (Sent s : records) {
            switch (s.outcome()) {
                case NONE -> { }
                case DEAD_LETTER -> {
                    deadLetters++;
                    TestRecord<byte[], byte[]> d = s.key() != null ? deadByKey.get(s.key())
                            : deadWithoutKey.stream().filter(r -> reason(r).contains(s.message())).findFirst().orElse(null);
                    soft.assertThat(d).as("%s: a dead letter", s).isNotNull();
                    if (d == null) continue;
                    soft.assertThat(reason(d)).as("%s: its reason header", s).contains(s.message());
                    if (s.value() != null && s.value().length > MB) {
                        soft.assertThat(d.value()).as("%s: too large to copy", s).isNull();
                        soft.assertThat(d.headers().lastHeader("fusion.error.value-dropped")).as("%s: says it was not copied", s).isNotNull();
                        soft.assertThat(d.headers().lastHeader("fusion.error.offset")).as("%s: says where the original is", s).isNotNull();
                    } else {
                        soft.assertThat(d.value()).as("%s: the original bytes", s).isEqualTo(s.value());
                    }
                    if (s.key() != null) soft.assertThat(results).as("%s: no result", s).doesNotContainKey(s.key());
                }
                default -> {
                    List<FusionResult> got = results.getOrDefault(s.id(), List.of());
                    soft.assertThat(got).as("%s: one result under %s", s, s.id()).hasSize(1);
                    if (got.isEmpty()) continue;
                    FusionResult r = got.get(0);
                    if (s.outcome() == BadInput.Outcome.OK) {
                        soft.assertThat(r.getStatus()).as("%s: status", s).isEqualTo(ResultStatus.ok);
                    } else {
                        soft.assertThat(r.getFailureReason()).as("%s: failure_reason", s).isEqualTo(s.outcome().failureReason());
                        soft.assertThat(r.getError()).as("%s: error", s).contains(s.message());
                    }
                }
            }
        }
        soft.assertThat(deadByKey.size() + deadWithoutKey.size()).as("dead letters, one for each unreadable record").isEqualTo(deadLetters);
        soft.assertAll();
        assertThat(records).as("kinds in the catalogue's topic half").hasSizeGreaterThanOrEqualTo(40);
    }

    private static String reason(TestRecord<byte[], byte[]> d) {
        var h = d.headers().lastHeader("fusion.error.reason");
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
