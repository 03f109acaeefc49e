package fusion.topology;

import static fusion.topology.Requests.ask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import fusion.events.FusionEvent;
import fusion.schema.FailedModel;
import fusion.schema.FusionResult;
import fusion.schema.ModelResponse;
import fusion.schema.ResultStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Quorum with grace: once a request's quorum of panel answers is in, the join waits at most its grace
 * for the rest, then judges what it has. The driver's wall clock drives the grace; the simulator's
 * per-model latency makes the laggard.
 */
class QuorumTest {
    private static final String LAGGARD = "sim/laggard";

    private static SimulatedPipeline pipeline(long laggardMs) {
        return new SimulatedPipeline(PipelineSettings.defaults().withCallDeadline(Duration.ofMinutes(10)),
                Map.of("fusion.simulator.model." + LAGGARD + ".latency-ms", Long.toString(laggardMs)));
    }

    @Test
    @DisplayName("2 of 3 with a 1 s grace, the third taking 30 s: an ok result with the two answers, the laggard failed as quorum_timeout, quorum {2, 2}")
    void twoOfThreeWithGrace() {
        try (SimulatedPipeline sim = pipeline(30_000)) {
            sim.pipeline.submit(ask("q", "what is a quorum?", "sim/alpha", "sim/beta", LAGGARD).setQuorum(2).setQuorumGraceMs(1000L).build());

            FusionResult result = sim.pipeline.awaitResult("q", Duration.ofSeconds(20));

            assertThat(result.getStatus()).isEqualTo(ResultStatus.ok);
            assertThat(result.getResponses()).extracting(ModelResponse::getModel).containsExactly("sim/alpha", "sim/beta");
            assertThat(result.getFailedModels()).extracting(FailedModel::getModel, FailedModel::getReason)
                    .containsExactly(tuple(LAGGARD, "quorum_timeout"));
            assertThat(result.getQuorum().getRequired()).isEqualTo(2);
            assertThat(result.getQuorum().getAnswered()).isEqualTo(2);
            assertThat(result.getAnalysis()).as("the judge saw the two answers").isNotNull();
            assertThat(result.getCalls()).as("the ledger holds the calls made and answered: two panel calls and the judge's")
                    .extracting(c -> c.getStage() + " " + c.getModel())
                    .containsExactly("panel sim/alpha", "panel sim/beta", "judge sim/judge");
        }
    }

    @Test
    @DisplayName("a laggard that answers after the grace is recorded (panel.completed, late, with its usage) and never makes a second result")
    void lateAnswerRecordedNeverASecondResult() {
        // 3 s of real time is 6 s of the driver's clock: well past the 200 ms grace, well inside the call deadline
        try (SimulatedPipeline sim = pipeline(3_000)) {
            sim.pipeline.submit(ask("late", "q", "sim/alpha", LAGGARD).setQuorum(1).setQuorumGraceMs(200L).build());

            FusionResult result = sim.pipeline.awaitResult("late", Duration.ofSeconds(20));
            assertThat(result.getFailedModels()).extracting(FailedModel::getReason).containsExactly("quorum_timeout");

            List<FusionEvent> laggard = awaitEvent(sim, "late", LAGGARD, FusionEvent.PANEL_COMPLETED);
            assertThat(laggard.get(0).json().path("late").asBoolean()).isTrue();
            assertThat(laggard.get(0).json().path("usage").path("completion_tokens").asLong()).isPositive();

            Map<String, List<FusionResult>> all = sim.pipeline.settle(Duration.ofMillis(500));
            assertThat(all.get("late")).as("one result, before and after the laggard's answer").hasSize(1);
            assertThat(sim.pipeline.events()).filteredOn(e -> e.type().equals(FusionEvent.COMPLETED)).hasSize(1);
            EventsTest.conform(sim.pipeline.events());
        }
    }

    @Test
    @DisplayName("with every answer in before the grace ends, the result comes at once with them all and no quorum_timeout")
    void allInBeforeTheGrace() {
        try (SimulatedPipeline sim = pipeline(20)) {
            sim.pipeline.submit(ask("all", "q", "sim/alpha", "sim/beta", LAGGARD).setQuorum(2).setQuorumGraceMs(600_000L).build());

            FusionResult result = sim.pipeline.awaitResult("all", Duration.ofSeconds(20));

            assertThat(result.getResponses()).hasSize(3);
            assertThat(result.getFailedModels()).isEmpty();
            assertThat(result.getQuorum().getAnswered()).isEqualTo(3);
        }
    }

    @Test
    @DisplayName("fusion.quorum.default and fusion.quorum.grace-ms apply to requests that give no quorum")
    void configuredDefaults() {
        var settings = PipelineSettings.defaults().withCallDeadline(Duration.ofMinutes(10))
                .withQuorum(new fusion.intake.QuorumDefaults(1, 100));
        try (SimulatedPipeline sim = new SimulatedPipeline(settings,
                Map.of("fusion.simulator.model." + LAGGARD + ".latency-ms", "30000"))) {
            sim.pipeline.submit(ask("d", "q", "sim/alpha", LAGGARD).build());

            FusionResult result = sim.pipeline.awaitResult("d", Duration.ofSeconds(20));

            assertThat(result.getQuorum().getRequired()).isEqualTo(1);
            assertThat(result.getFailedModels()).extracting(FailedModel::getModel, FailedModel::getReason)
                    .containsExactly(tuple(LAGGARD, "quorum_timeout"));
        }
    }

    private static List<FusionEvent> awaitEvent(SimulatedPipeline sim, String id, String model, String type) {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            List<FusionEvent> found = sim.pipeline.events().stream()
                    .filter(e -> e.requestId().equals(id) && model.equals(e.model()) && e.type().equals(type)).toList();
            if (!found.isEmpty()) return found;
            sim.pipeline.settle(Duration.ofMillis(100));
        }
        throw new AssertionError("no " + type + " for " + model + " of " + id + "; events: " + sim.pipeline.events());
    }
}
