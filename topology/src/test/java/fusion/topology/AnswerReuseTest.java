package fusion.topology;

import static fusion.topology.Requests.ask;
import static org.assertj.core.api.Assertions.assertThat;

import fusion.calls.CallSettings;
import fusion.results.ResultJson;
import fusion.schema.CallRecord;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A panel call already answered is not paid for again: same model, messages and parameters → the earlier answer. */
class AnswerReuseTest {
    @Test
    @DisplayName("a second request asking the same panel the same question → panel answers reused, only its judge is called")
    void identicalPanelCallsAreReused() {
        try (SimulatedPipeline sim = new SimulatedPipeline()) {
            sim.pipeline.submit(ask("first", "Compare Rust and Go for services", "sim/alpha", "sim/beta").build());
            FusionResult first = sim.pipeline.awaitResult("first");
            long callsAfterFirst = sim.simulator.callCount();

            sim.pipeline.submit(ask("second", "Compare Rust and Go for services", "sim/alpha", "sim/beta").setModel("sim/other-judge").build());
            FusionResult second = sim.pipeline.awaitResult("second");

            assertThat(callsAfterFirst).isEqualTo(3);
            assertThat(sim.simulator.callCount()).as("only the second judge call was sent").isEqualTo(4);
            assertThat(second.getStatus()).isEqualTo(ResultStatus.ok);
            assertThat(second.getResponses()).isEqualTo(first.getResponses());
            assertThat(second.getCalls()).filteredOn(c -> c.getStage().equals("panel")).extracting(CallRecord::getReused).containsOnly(true);
            var panelUsage = ResultJson.toNode(second).get("usage").get("panel");
            assertThat(panelUsage.get("calls").asInt()).isZero();
            assertThat(panelUsage.get("reused_calls").asInt()).isEqualTo(2);
            assertThat(panelUsage.get("saved_cost").asDouble()).isPositive();
        }
    }

    @Test
    @DisplayName("same question at another temperature → a new call, not a reused answer")
    void otherParametersAreOtherCalls() {
        try (SimulatedPipeline sim = new SimulatedPipeline()) {
            sim.pipeline.submit(ask("cold", "Compare Rust and Go for services", "sim/alpha").setTemperature(0.0).build());
            sim.pipeline.awaitResult("cold");
            sim.pipeline.submit(ask("warm", "Compare Rust and Go for services", "sim/alpha").setTemperature(1.0).build());
            FusionResult warm = sim.pipeline.awaitResult("warm");

            assertThat(sim.simulator.callCount()).isEqualTo(4);
            assertThat(warm.getCalls()).extracting(CallRecord::getReused).containsOnly(false);
        }
    }

    @Test
    @DisplayName("fusion.calls.reuse-answers=false → every request pays for its own panel calls")
    void reuseOff() {
        PipelineSettings settings = PipelineSettings.defaults();
        settings = settings.withCalls(settings.calls().withReuseAnswers(false));
        try (SimulatedPipeline sim = new SimulatedPipeline(settings, Map.of())) {
            sim.pipeline.submit(ask("one", "Compare Rust and Go for services", "sim/alpha").build());
            sim.pipeline.awaitResult("one");
            sim.pipeline.submit(ask("two", "Compare Rust and Go for services", "sim/alpha").build());
            sim.pipeline.awaitResult("two");

            assertThat(sim.simulator.callCount()).isEqualTo(4);
        }
    }
}
