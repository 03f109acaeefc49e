package fusion.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.registry.ScriptedRegistry;
import fusion.results.ResultJson;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.topology.ResultSerde;
import fusion.topology.Topics;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FusionConverterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESULTS = "fusion.results";
    private static final String REQUESTS = "fusion.requests";

    private static FusionConverter converter(Map<String, String> settings) {
        FusionConverter converter = new FusionConverter();
        converter.configure(settings, false);
        return converter;
    }

    private static FusionConverter converter() {
        return converter(Map.of());
    }

    @Test
    @DisplayName("every kind of result the pipeline writes reads as a FusionResult Struct and writes back to the same record")
    void resultsRoundTrip() {
        FusionConverter converter = converter(Map.of(FusionConverter.RECORD, "result"));
        Map<String, FusionResult> all = PipelineRecords.results();
        assertThat(all.get(PipelineRecords.PARTIAL).getFailedModels()).isNotEmpty();
        assertThat(all.get(PipelineRecords.SYNTHESIZED).getFinalAnswer()).isNotBlank();
        assertThat(all.get(PipelineRecords.JUDGE_FAILED).getJudgeFailure()).isNotNull();
        assertThat(all.get(PipelineRecords.ALL_FAILED).getFailureReason()).isEqualTo("all_panels_failed");
        assertThat(all.get(PipelineRecords.INVALID).getFailureReason()).isEqualTo("invalid_request");

        for (FusionResult result : all.values()) {
            SchemaAndValue read = converter.toConnectData(RESULTS, Topics.RESULT.encode(result));

            assertThat(read.schema().name()).isEqualTo("fusion.schema.FusionResult");
            Struct struct = (Struct) read.value();
            struct.validate();
            assertThat(struct.getString("request_id")).isEqualTo(result.getRequestId());
            assertThat(struct.getString("status")).isEqualTo(result.getStatus().name());
            byte[] written = converter.fromConnectData(RESULTS, read.schema(), struct);
            assertThat(Topics.RESULT.decode(written)).as(result.getRequestId()).isEqualTo(result);
        }
    }

    @Test
    @DisplayName("a result on a topic with fusion.results.format=json reads as the same FusionResult Struct, its calls from the fusion.result.calls header")
    void jsonResultsWithTheirLedger() {
        FusionConverter converter = converter(Map.of(FusionConverter.RECORD, "result"));
        for (FusionResult result : PipelineRecords.results().values()) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(ResultSerde.CALLS_HEADER, ResultJson.ledger(result.getCalls()));
            byte[] line = ResultJson.toJson(result).getBytes(StandardCharsets.UTF_8);

            SchemaAndValue read = converter.toConnectData(RESULTS, headers, line);

            Struct struct = (Struct) read.value();
            struct.validate();
            assertThat(Topics.RESULT.decode(converter.fromConnectData(RESULTS, read.schema(), struct))).as(result.getRequestId()).isEqualTo(result);
        }
    }

    @Test
    @DisplayName("a result's nested parts are Structs, arrays and maps; optional fields are optional; the enum is its symbol")
    void resultShape() {
        FusionResult answered = PipelineRecords.result(PipelineRecords.ANSWERED);
        SchemaAndValue read = converter().toConnectData(RESULTS, Topics.RESULT.encode(answered));
        Struct struct = (Struct) read.value();

        Schema schema = read.schema();
        assertThat(schema.field("status").schema().type()).isEqualTo(Schema.Type.STRING);
        assertThat(schema.field("analysis").schema().isOptional()).isTrue();
        assertThat(schema.field("analysis").schema().name()).isEqualTo("fusion.schema.Analysis");
        assertThat(schema.field("error").schema().isOptional()).isTrue();
        assertThat(schema.field("request_id").schema().isOptional()).isFalse();
        assertThat(schema.field("metadata").schema().type()).isEqualTo(Schema.Type.MAP);
        Struct analysis = struct.getStruct("analysis");
        assertThat(analysis.getArray("consensus")).isEqualTo(answered.getAnalysis().getConsensus());
        List<Struct> responses = struct.getArray("responses");
        assertThat(responses).extracting(r -> r.getString("model")).containsExactly("sim/alpha", "sim/beta");
        assertThat(struct.getMap("metadata")).isEqualTo(Map.of("batch_id", "nov-26", "row", "1"));
        List<Struct> calls = struct.getArray("calls");
        assertThat(calls).isNotEmpty();
        assertThat(calls.get(0).getStruct("usage").getInt64("prompt_tokens")).isPositive();

        FusionResult partial = PipelineRecords.result(PipelineRecords.PARTIAL);
        Struct withFailure = (Struct) converter().toConnectData(RESULTS, Topics.RESULT.encode(partial)).value();
        List<Struct> failed = withFailure.getArray("failed_models");
        assertThat(failed).extracting(f -> f.getString("model")).containsExactly("sim/always-garbage");
    }

    @Test
    @DisplayName("every request reads as a FusionRequest Struct and writes back to the same record")
    void requestsRoundTrip() {
        FusionConverter converter = converter(Map.of(FusionConverter.RECORD, "request"));

        for (FusionRequest request : PipelineRecords.requests()) {
            SchemaAndValue read = converter.toConnectData(REQUESTS, Topics.REQUEST.encode(request));

            assertThat(read.schema().name()).isEqualTo("fusion.schema.FusionRequest");
            byte[] written = converter.fromConnectData(REQUESTS, read.schema(), read.value());
            assertThat(Topics.REQUEST.decode(written)).isEqualTo(request);
        }
    }

    @Test
    @DisplayName("fusion.record=auto tells results from requests by the fingerprint of their schema")
    void autoByFingerprint() {
        FusionConverter converter = converter();
        FusionRequest request = PipelineRecords.requests().get(0);
        FusionResult result = PipelineRecords.result(PipelineRecords.ANSWERED);

        assertThat(converter.toConnectData(REQUESTS, Topics.REQUEST.encode(request)).schema().name()).isEqualTo("fusion.schema.FusionRequest");
        assertThat(converter.toConnectData(RESULTS, Topics.RESULT.encode(result)).schema().name()).isEqualTo("fusion.schema.FusionResult");
    }

    @Test
    @DisplayName("with schema.registry.url, records are written registry-framed under <topic>-value and read back by their id")
    void registryFramed() throws Exception {
        try (ScriptedRegistry registry = ScriptedRegistry.start()) {
            FusionConverter converter = converter(Map.of("schema.registry.url", registry.url()));
            FusionResult result = PipelineRecords.result(PipelineRecords.SYNTHESIZED);
            SchemaAndValue read = converter.toConnectData(RESULTS, Topics.RESULT.encode(result));

            byte[] framed = converter.fromConnectData(RESULTS, read.schema(), read.value());

            assertThat(framed[0]).isEqualTo((byte) 0);
            assertThat(registry.subjects()).containsExactly("fusion.results-value");
            SchemaAndValue again = converter(Map.of("fusion.schema-registry.url", registry.url())).toConnectData(RESULTS, framed);
            assertThat(again.value()).isEqualTo(read.value());
            assertThat(((Struct) again.value()).getString("final_answer")).isEqualTo(result.getFinalAnswer()).isNotBlank();

            assertThatThrownBy(() -> converter().toConnectData(RESULTS, framed))
                    .isInstanceOf(DataException.class)
                    .hasMessageContaining("Schema Registry framing").hasMessageContaining("set fusion.schema-registry.url");
        }
    }

    @Test
    @DisplayName("a JSON request object reads as a FusionRequest Struct, its bare prompt one user message")
    void jsonRequest() {
        byte[] json = "{\"id\": \"j1\", \"prompt\": \"Why Kafka?\", \"analysis_models\": [\"a/x\"], \"temperature\": 1, \"topic\": \"infra\"}"
                .getBytes(StandardCharsets.UTF_8);

        Struct struct = (Struct) converter().toConnectData(REQUESTS, json).value();

        assertThat(struct.getString("request_id")).isEqualTo("j1");
        List<Struct> messages = struct.getArray("messages");
        assertThat(messages).extracting(m -> m.getString("role") + ": " + m.getString("content")).containsExactly("user: Why Kafka?");
        assertThat(struct.getFloat64("temperature")).isEqualTo(1.0);
        assertThat(struct.getMap("metadata")).isEqualTo(Map.of("topic", "infra"));
    }

    @Test
    @DisplayName("a JSON request line given as text (a file source) is written as it is, for the pipeline to read and answer")
    void jsonTextPassesThrough() {
        String line = "{\"prompt\": \"Why Kafka?\", \"temperature\": \"hot\"}";

        byte[] written = converter(Map.of(FusionConverter.RECORD, "request")).fromConnectData(REQUESTS, Schema.STRING_SCHEMA, line);

        assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo(line);
        assertThatThrownBy(() -> converter().fromConnectData(REQUESTS, Schema.STRING_SCHEMA, "Why Kafka?"))
                .isInstanceOf(DataException.class).hasMessageContaining("\"Why Kafka?\" is not a JSON request object");
    }

    @Test
    @DisplayName("a schemaless Map (JsonConverter without schemas) with a request's fields writes as a FusionRequest, whole numbers narrowed")
    void schemalessMap() {
        Map<String, Object> map = new HashMap<>();
        map.put("request_id", "m1");
        map.put("messages", List.of(Map.of("role", "user", "content", "hi")));
        map.put("max_tool_calls", 4L);
        map.put("metadata", Map.of("row", "3"));

        FusionRequest request = Topics.REQUEST.decode(converter().fromConnectData(REQUESTS, null, map));

        assertThat(request.getRequestId()).isEqualTo("m1");
        assertThat(request.getMessages().get(0).getContent()).isEqualTo("hi");
        assertThat(request.getMaxToolCalls()).isEqualTo(4);
        assertThat(request.getAttempt()).as("a field left out takes its default").isEqualTo(1);
        assertThat(request.getMetadata()).isEqualTo(Map.of("row", "3"));
    }

    @Test
    @DisplayName("flattened, a result is one row: the Parquet file's columns, nested parts as JSON text named io.debezium.data.Json")
    void flattenedResult() throws Exception {
        FusionConverter flat = converter(Map.of(FusionConverter.FLATTEN, "true"));
        FusionResult answered = PipelineRecords.result(PipelineRecords.ANSWERED);
        JsonNode json = ResultJson.toNode(answered);

        SchemaAndValue read = flat.toConnectData(RESULTS, Topics.RESULT.encode(answered));

        Struct row = (Struct) read.value();
        row.validate();
        assertThat(read.schema().fields()).allSatisfy(f -> assertThat(f.schema().type()).isIn(
                Schema.Type.STRING, Schema.Type.INT32, Schema.Type.INT64, Schema.Type.FLOAT64));
        assertThat(row.getString("request_id")).isEqualTo(PipelineRecords.ANSWERED);
        assertThat(row.getString("status")).isEqualTo("ok");
        assertThat(row.getString("judge_model")).isEqualTo("sim/judge");
        assertThat(JSON.readTree(row.getString("analysis"))).isEqualTo(json.get("analysis"));
        assertThat(read.schema().field("analysis").schema().name()).isEqualTo("io.debezium.data.Json");
        assertThat(JSON.readTree(row.getString("metadata"))).isEqualTo(JSON.readTree("{\"batch_id\": \"nov-26\", \"row\": \"1\"}"));
        assertThat(row.getInt32("model_calls")).isEqualTo(json.at("/usage/total/calls").asInt()).isPositive();
        assertThat(row.getString("failure_reason")).isNull();
        assertThat(row.getString("result_json")).isEqualTo(ResultJson.toJson(answered));

        FusionResult invalid = PipelineRecords.result(PipelineRecords.INVALID);
        Struct invalidRow = (Struct) flat.toConnectData(RESULTS, Topics.RESULT.encode(invalid)).value();
        assertThat(invalidRow.getString("failure_reason")).isEqualTo("invalid_request");
        assertThat(invalidRow.getString("error")).contains("temperature is 3.0");
        assertThat(invalidRow.getInt32("model_calls")).isNull();

        Struct fromJsonLine = (Struct) flat.toConnectData(RESULTS, ResultJson.toJson(answered).getBytes(StandardCharsets.UTF_8)).value();
        assertThat(fromJsonLine).as("a result in JSON (fusion.results.format=json) gives the same row").isEqualTo(row);
    }

    @Test
    @DisplayName("flattened, a request keeps its scalar fields as columns and its messages, panel and metadata as JSON text")
    void flattenedRequest() throws Exception {
        FusionRequest request = PipelineRecords.requests().get(0);

        Struct row = (Struct) converter(Map.of(FusionConverter.FLATTEN, "true")).toConnectData(REQUESTS, Topics.REQUEST.encode(request)).value();

        assertThat(row.getString("request_id")).isEqualTo(PipelineRecords.ANSWERED);
        assertThat(row.getFloat64("temperature")).isEqualTo(0.7);
        assertThat(JSON.readTree(row.getString("messages")).get(1).get("content").asText()).isEqualTo(request.getMessages().get(1).getContent());
        assertThat(JSON.readTree(row.getString("analysis_models"))).isEqualTo(JSON.readTree("[\"sim/alpha\", \"sim/beta\"]"));
        assertThat(JSON.readTree(row.getString("reasoning")).get("effort").asText()).isEqualTo("medium");
    }

    @Test
    @DisplayName("bytes that are no record of ours → a DataException that names the topic and what is wrong with them")
    void badBytes() {
        FusionConverter converter = converter();
        FusionConverter results = converter(Map.of(FusionConverter.RECORD, "result"));
        byte[] good = Topics.RESULT.encode(PipelineRecords.result(PipelineRecords.ANSWERED));
        byte[] truncated = java.util.Arrays.copyOf(good, 14);
        byte[] unknownFingerprint = good.clone();
        unknownFingerprint[5] ^= 0x5A;

        assertThatThrownBy(() -> converter.toConnectData(RESULTS, "hello".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DataException.class)
                .hasMessage("cannot read a record of topic 'fusion.results': it is neither Avro single-object encoding (first bytes 0xC3 0x01), "
                        + "Schema Registry framing (magic byte 0) nor a JSON object (first byte 0x68)");
        assertThatThrownBy(() -> converter.toConnectData(RESULTS, new byte[0]))
                .isInstanceOf(DataException.class).hasMessageContaining("an empty value");
        assertThatThrownBy(() -> converter.toConnectData(RESULTS, truncated))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("cannot read a record of topic 'fusion.results' as a FusionResult: not a FusionResult in Avro single-object encoding");
        assertThatThrownBy(() -> converter.toConnectData(RESULTS, unknownFingerprint))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("is not that of any released FusionResult or FusionRequest schema").hasMessageContaining("fusion.record");
        assertThatThrownBy(() -> results.toConnectData(RESULTS, Topics.REQUEST.encode(PipelineRecords.requests().get(0))))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("as a FusionResult: not a FusionResult this build can read");
        assertThatThrownBy(() -> converter.toConnectData(REQUESTS, "{\"prompt\": 42}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DataException.class)
                .hasMessage("cannot read a record of topic 'fusion.requests' as a FusionRequest: the JSON request is invalid: prompt is 42; it must be a string");
        assertThatThrownBy(() -> converter.toConnectData(REQUESTS, "{\"prompt\": ".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DataException.class).hasMessageContaining("is not valid JSON");
    }

    @Test
    @DisplayName("a Struct that does not fit the record → a DataException naming the field and what it must be")
    void badStructs() {
        FusionConverter converter = converter();
        SchemaAndValue read = converter.toConnectData(RESULTS, Topics.RESULT.encode(PipelineRecords.result(PipelineRecords.ANSWERED)));
        Struct wrongStatus = ((Struct) read.value()).put("status", "maybe");
        Map<String, Object> noId = new HashMap<>(Map.of("status", "ok"));
        Map<String, Object> badPanel = new HashMap<>(Map.of("request_id", "r", "analysis_models", List.of("a/x", 7)));

        assertThatThrownBy(() -> converter.fromConnectData(RESULTS, read.schema(), wrongStatus))
                .isInstanceOf(DataException.class).hasMessage("FusionResult.status is 'maybe'; it must be one of [ok, error]");
        assertThatThrownBy(() -> converter.fromConnectData(RESULTS, null, noId))
                .isInstanceOf(DataException.class).hasMessage("FusionResult.request_id is null; it is required (string)");
        assertThatThrownBy(() -> converter.fromConnectData(REQUESTS, null, badPanel))
                .isInstanceOf(DataException.class).hasMessage("FusionRequest.analysis_models[1] is 7 (Integer); it must be a string");
        assertThatThrownBy(() -> converter.fromConnectData(RESULTS, FlatRows.RESULT, new Struct(FlatRows.RESULT)))
                .isInstanceOf(DataException.class).hasMessageContaining("a flat row (fusion.converter.flatten=true) is a sink's view");
    }

    @Test
    @DisplayName("Avro's date, timestamp-millis and decimal are Connect's Date, Timestamp and Decimal, and back")
    void logicalTypes() {
        org.apache.avro.Schema day = org.apache.avro.LogicalTypes.date().addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.INT));
        org.apache.avro.Schema at = org.apache.avro.LogicalTypes.timestampMillis().addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.LONG));
        org.apache.avro.Schema price = org.apache.avro.LogicalTypes.decimal(9, 2).addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.BYTES));
        org.apache.avro.Schema avro = org.apache.avro.SchemaBuilder.record("Dated").namespace("test").fields()
                .name("day").type(day).noDefault().name("at").type(at).noDefault().name("price").type(price).noDefault().endRecord();
        org.apache.avro.generic.GenericData.Record record = new org.apache.avro.generic.GenericData.Record(avro);
        record.put("day", 20_000);
        record.put("at", 1_700_000_000_123L);
        record.put("price", java.nio.ByteBuffer.wrap(new java.math.BigDecimal("12.34").unscaledValue().toByteArray()));
        AvroStructs structs = new AvroStructs(org.apache.avro.generic.GenericData.get());

        Struct struct = (Struct) structs.toConnect(avro, record);

        assertThat(struct.schema().field("day").schema().name()).isEqualTo(org.apache.kafka.connect.data.Date.LOGICAL_NAME);
        assertThat(((java.util.Date) struct.get("day")).getTime()).isEqualTo(20_000L * 86_400_000L);
        assertThat(struct.schema().field("at").schema().name()).isEqualTo(org.apache.kafka.connect.data.Timestamp.LOGICAL_NAME);
        assertThat(((java.util.Date) struct.get("at")).getTime()).isEqualTo(1_700_000_000_123L);
        assertThat(struct.get("price")).isEqualTo(new java.math.BigDecimal("12.34"));
        assertThat(structs.toAvro(avro, struct, "Dated")).isEqualTo(record);
    }

    @Test
    @DisplayName("as a key converter it refuses to start, saying keys are request ids for StringConverter")
    void notForKeys() {
        assertThatThrownBy(() -> new FusionConverter().configure(Map.of(), true))
                .isInstanceOf(ConfigException.class).hasMessageContaining("StringConverter");
    }
}
