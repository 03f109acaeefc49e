package fusion.topology;

import static fusion.topology.Requests.ask;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.results.ResultJson;
import fusion.results.Rerun;
import fusion.schema.FusionResult;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code fusion.results.format=json}: the production topology writes each result to the results topic as the
 * results file's line, for consumers that read no Avro, and reads it back whole.
 */
class JsonResultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> IDS = List.of("ok", "partial-panel", "degraded-judge-500", "all-panels-failed", "invalid");
    private static final Map<String, TestRecord<String, byte[]>> RECORDS = new HashMap<>();
    private static final Map<String, FusionResult> READ = new HashMap<>();

    @BeforeAll
    static void runEachKind() {
        Topics topics = new Topics(Topics.DEFAULT_PREFIX, WireFormat.from(Map.of(WireFormat.RESULTS_FORMAT, "json")));
        try (SimulatedPipeline sim = new SimulatedPipeline(topics)) {
            PipelineDriver p = sim.pipeline;
            p.submit(ask("ok", "Compare Kafka and Pulsar", "sim/alpha", "sim/beta").build());
            p.submit(ask("partial-panel", "q", "sim/alpha", "sim/always-500", "sim/beta").build());
            p.submit(ask("degraded-judge-500", "q", "sim/alpha", "sim/beta").setModel("sim/always-500").build());
            p.submit(ask("all-panels-failed", "q", "sim/always-500", "sim/always-empty").build());
            p.submit(ask("invalid", "q", "sim/alpha").setTemperature(3.0).build());
            for (String id : IDS) READ.put(id, p.awaitResult(id));
            for (var record : p.resultRecords()) RECORDS.put(record.key(), record);
        }
    }

    @AfterAll
    static void clear() {
        RECORDS.clear();
        READ.clear();
    }

    @Test
    @DisplayName("every result on the topic is one JSON object, the very line the results file has for it, in the spec's tool-result shape")
    void valuesAreTheResultFileLines() throws Exception {
        assertThat(RECORDS.keySet()).containsExactlyInAnyOrderElementsOf(IDS);
        for (String id : IDS) {
            String value = new String(RECORDS.get(id).value(), StandardCharsets.UTF_8);
            JsonNode json = JSON.readTree(value);

            assertThat(value).as(id).startsWith("{").doesNotContain("\n");
            assertThat(value).as(id + ": what the results file writes for the result read back").isEqualTo(ResultJson.toJson(READ.get(id)));
            assertThat(json.get("type").asText()).isEqualTo("openrouter:fusion");
            assertThat(json.get("request_id").asText()).isEqualTo(id);
            assertThat(ResultSchemaConformanceTest.problems(ResultSchemaConformanceTest.RESULT, json)).as(id).isEmpty();
            assertThat(ResultSchemaConformanceTest.problems(ResultSchemaConformanceTest.OPENROUTER, json)).as(id).isEmpty();
        }
        assertThat(JSON.readTree(RECORDS.get("ok").value()).get("analysis").get("consensus").isArray()).isTrue();
        assertThat(JSON.readTree(RECORDS.get("partial-panel").value()).get("failed_models").get(0).get("model").asText()).isEqualTo("sim/always-500");
        assertThat(JSON.readTree(RECORDS.get("invalid").value()).get("failure_reason").asText()).isEqualTo("invalid_request");
    }

    @Test
    @DisplayName("read back by the topic's serde, a JSON result keeps every call of its ledger (the fusion.result.calls header), so a rerun still sees a judge that failed for a passing reason")
    void readBackWithItsLedger() throws Exception {
        for (String id : List.of("ok", "partial-panel", "degraded-judge-500")) {
            Header ledger = RECORDS.get(id).headers().lastHeader(ResultSerde.CALLS_HEADER);
            assertThat(ledger).as(id).isNotNull();
            JsonNode calls = JSON.readTree(ledger.value());
            assertThat(calls).as(id).hasSize(READ.get(id).getCalls().size());
            assertThat(READ.get(id).getCalls()).as(id).allSatisfy(c -> assertThat(c.getModel()).startsWith("sim/"));
        }
        assertThat(READ.get("ok").getCalls()).extracting(c -> c.getStage() + " " + c.getModel())
                .containsExactlyInAnyOrder("panel sim/alpha", "panel sim/beta", "judge sim/judge");
        assertThat(READ.get("ok").getCalls()).allSatisfy(c -> assertThat(c.getUsage().getCompletionTokens()).isPositive());
        FusionResult degraded = READ.get("degraded-judge-500");
        assertThat(degraded.getAnalysis()).isNull();
        assertThat(degraded.getCalls()).filteredOn(c -> c.getStage().equals("judge")).singleElement()
                .satisfies(c -> assertThat(c.getErrorKind()).isEqualTo("server_error"));
        assertThat(Rerun.worthRetrying(degraded)).as("a 5xx judge passes: the rerun sends it again").isTrue();
        assertThat(Rerun.worthRetrying(READ.get("ok"))).isFalse();
        assertThat(Rerun.worthRetrying(READ.get("invalid"))).isFalse();
    }
}
