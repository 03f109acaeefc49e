package fusion.topology;

import static fusion.topology.Requests.ask;
import static org.assertj.core.api.Assertions.assertThat;

import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Intake: validation, dedupe, turns, recursion guard and the dead-letter topic. */
class IntakeTest {
    private final SimulatedPipeline sim = new SimulatedPipeline();

    @AfterEach
    void close() {
        sim.close();
    }

    @Test
    @DisplayName("temperature 3 → invalid_request naming temperature, and no model is called")
    void temperatureOutOfRange() {
        sim.pipeline.submit(ask("i1", "q", "sim/alpha").setTemperature(3.0).build());

        FusionResult result = sim.pipeline.awaitResult("i1");

        assertThat(result.getStatus()).isEqualTo(ResultStatus.error);
        assertThat(result.getFailureReason()).isEqualTo("invalid_request");
        assertThat(result.getError()).contains("temperature").contains("between 0 and 2");
        assertThat(sim.simulator.callCount()).isZero();
    }

    @Test
    @DisplayName("9 analysis models → invalid_request naming analysis_models")
    void nineModels() {
        sim.pipeline.submit(ask("i2", "q", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9").build());

        FusionResult result = sim.pipeline.awaitResult("i2");

        assertThat(result.getFailureReason()).isEqualTo("invalid_request");
        assertThat(result.getError()).contains("analysis_models");
    }

    @Test
    @DisplayName("no messages → invalid_request naming messages")
    void noMessages() {
        sim.pipeline.submitJson("i3", "{\"request_id\":\"i3\",\"analysis_models\":[\"sim/alpha\"]}");

        FusionResult result = sim.pipeline.awaitResult("i3");

        assertThat(result.getFailureReason()).isEqualTo("invalid_request");
        assertThat(result.getError()).contains("messages");
    }

    @Test
    @DisplayName("unknown tool → invalid_request naming tools")
    void unknownTool() {
        sim.pipeline.submit(ask("i4", "q", "sim/alpha").setTools(new java.util.ArrayList<>(List.of("code_interpreter"))).build());

        FusionResult result = sim.pipeline.awaitResult("i4");

        assertThat(result.getFailureReason()).isEqualTo("invalid_request");
        assertThat(result.getError()).contains("tools").contains("code_interpreter");
    }

    @Test
    @DisplayName("a JSON request value with a wrongly typed field → invalid_request naming the field")
    void jsonFieldOfWrongType() {
        sim.pipeline.submitJson("i5", "{\"request_id\":\"i5\",\"prompt\":\"q\",\"temperature\":\"hot\"}");

        FusionResult result = sim.pipeline.awaitResult("i5");

        assertThat(result.getFailureReason()).isEqualTo("invalid_request");
        assertThat(result.getError()).contains("temperature");
    }

    @Test
    @DisplayName("a JSON request value is accepted like an Avro one")
    void jsonRequest() {
        sim.pipeline.submitJson("i6", "{\"request_id\":\"i6\",\"prompt\":\"Compare Kafka and Pulsar\","
                + "\"analysis_models\":[\"sim/alpha\",\"sim/beta\"],\"model\":\"sim/judge\",\"metadata\":{\"row\":\"7\"}}");

        FusionResult result = sim.pipeline.awaitResult("i6");

        assertThat(result.getStatus()).isEqualTo(ResultStatus.ok);
        assertThat(result.getResponses()).hasSize(2);
        assertThat(result.getMetadata()).containsEntry("row", "7");
    }

    @Test
    @DisplayName("a repeated request_id gets no second result and no second call")
    void repeatedRequestId() {
        sim.pipeline.submit(ask("i7", "q", "sim/alpha").build());
        sim.pipeline.awaitResult("i7");
        long calls = sim.simulator.callCount();

        sim.pipeline.submit(ask("i7", "q", "sim/alpha").build());
        var seen = sim.pipeline.settle(Duration.ofMillis(600));

        assertThat(seen.get("i7")).hasSize(1);
        assertThat(sim.simulator.callCount()).isEqualTo(calls);
    }

    @Test
    @DisplayName("a second request in the same turn → fusion_invocation_capped; the first runs")
    void secondRequestInTurn() {
        sim.pipeline.submit(ask("t1", "q", "sim/alpha").setTurnId("turn-9").build());
        sim.pipeline.submit(ask("t2", "q again", "sim/alpha").setTurnId("turn-9").build());

        FusionResult second = sim.pipeline.awaitResult("t2");
        FusionResult first = sim.pipeline.awaitResult("t1");

        assertThat(second.getStatus()).isEqualTo(ResultStatus.error);
        assertThat(second.getFailureReason()).isEqualTo("fusion_invocation_capped");
        assertThat(second.getError()).contains("turn-9");
        assertThat(first.getStatus()).isEqualTo(ResultStatus.ok);
    }

    @Test
    @DisplayName("a request carrying fusion depth 1 is refused: fusion never runs inside fusion")
    void depthHeader() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("x-openrouter-fusion-depth", "1".getBytes(StandardCharsets.UTF_8));
        sim.pipeline.submitRaw("d1", Topics.REQUEST.encode(ask("d1", "q", "sim/alpha").build()), headers);

        FusionResult result = sim.pipeline.awaitResult("d1");

        assertThat(result.getStatus()).isEqualTo(ResultStatus.error);
        assertThat(result.getFailureReason()).isEqualTo("invalid_request");
        assertThat(result.getError()).contains("x-openrouter-fusion-depth");
        assertThat(sim.simulator.callCount()).isZero();
    }

    @Test
    @DisplayName("unreadable bytes → dead-letter topic with the reason in headers, and the pipeline goes on")
    void unreadableGoesToDeadLetters() {
        sim.pipeline.submitRaw("bad", new byte[] {0x7f, 0x01, 0x02}, new RecordHeaders());
        sim.pipeline.submit(ask("after", "q", "sim/alpha").build());

        FusionResult after = sim.pipeline.awaitResult("after");
        var dead = sim.pipeline.deadLetters();

        assertThat(after.getStatus()).isEqualTo(ResultStatus.ok);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).value()).containsExactly(0x7f, 0x01, 0x02);
        assertThat(new String(dead.get(0).headers().lastHeader("fusion.error.reason").value(), StandardCharsets.UTF_8))
                .contains("neither Avro");
        assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("bad");
    }

    @Test
    @DisplayName("a record with no key is keyed by its request_id and runs once")
    void unkeyedRecord() {
        sim.pipeline.submitJson(null, "{\"request_id\":\"nokey\",\"prompt\":\"q\",\"analysis_models\":[\"sim/alpha\"],\"model\":\"sim/judge\"}");

        FusionResult result = sim.pipeline.awaitResult("nokey");

        assertThat(result.getStatus()).isEqualTo(ResultStatus.ok);
    }

    @Test
    @DisplayName("a JSON request with no request_id, keyed kc-1 (kcat -K'|' of kc-1|{\"prompt\": ...}) → answered under kc-1")
    void jsonRequestTakesItsRecordKey() {
        sim.pipeline.submitJson("kc-1", "{\"prompt\":\"Compare Kafka and Pulsar\",\"analysis_models\":[\"sim/alpha\"],\"model\":\"sim/judge\"}");

        FusionResult result = sim.pipeline.awaitResult("kc-1");
        var seen = sim.pipeline.settle(Duration.ZERO);

        assertThat(result.getRequestId()).isEqualTo("kc-1");
        assertThat(result.getStatus()).isEqualTo(ResultStatus.ok);
        assertThat(seen.keySet()).as("no result under a derived row-... id").allMatch(id -> !id.startsWith("row-"));
    }

    @Test
    @DisplayName("a JSON request whose request_id differs from its record key → invalid_request naming both")
    void jsonRequestIdDifferentFromKey() {
        sim.pipeline.submitJson("kc-2", "{\"request_id\":\"other\",\"prompt\":\"q\",\"analysis_models\":[\"sim/alpha\"]}");

        FusionResult result = sim.pipeline.awaitResult("other");

        assertThat(result.getFailureReason()).isEqualTo("invalid_request");
        assertThat(result.getError()).contains("record key 'kc-2' differs from request_id 'other'");
        assertThat(sim.simulator.callCount()).isZero();
    }
}
