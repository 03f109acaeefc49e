package fusion.topology;

import static fusion.topology.Requests.ask;
import static org.assertj.core.api.Assertions.assertThat;

import fusion.schema.FailedModel;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The join: it waits for the whole panel, and closes overdue requests by wall clock. */
class PanelJoinTest {
    private final SimulatedPipeline sim = new SimulatedPipeline(
            PipelineSettings.defaults().withJoinDeadline(Duration.ofSeconds(2)), Map.of());

    @AfterEach
    void close() {
        sim.close();
    }

    @Test
    @DisplayName("a model that never answers fails as a timeout once the deadline passes, with no new records")
    void overdueRequestClosesByWallClock() {
        sim.pipeline.submit(ask("late", "q", "sim/alpha", "sim/always-timeout").build());

        FusionResult result = sim.pipeline.awaitResult("late", Duration.ofSeconds(20));

        assertThat(result.getStatus()).isEqualTo(ResultStatus.ok);
        assertThat(result.getResponses()).extracting(r -> r.getModel()).containsExactly("sim/alpha");
        assertThat(result.getFailedModels()).extracting(FailedModel::getModel, FailedModel::getReason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("sim/always-timeout", "timeout"));
    }

    @Test
    @DisplayName("the result comes as soon as every panel model has answered, not at the deadline")
    void emitsWhenAllAnswered() {
        // A ten-minute deadline: the driver's wall clock advances only seconds while we wait, so a
        // result here was emitted on the last answer, not by the deadline scan.
        try (SimulatedPipeline patient = new SimulatedPipeline(
                PipelineSettings.defaults().withJoinDeadline(Duration.ofMinutes(10)), Map.of())) {
            patient.pipeline.submit(ask("fast", "q", "sim/alpha", "sim/beta", "sim/gamma").build());

            FusionResult result = patient.pipeline.awaitResult("fast", Duration.ofSeconds(20));

            assertThat(result.getResponses()).hasSize(3);
            assertThat(result.getFailedModels()).isEmpty();
        }
    }

    @Test
    @DisplayName("every request gets exactly one result")
    void oneResultEach() {
        for (int i = 0; i < 10; i++) {
            sim.pipeline.submit(ask("n" + i, "question " + i, "sim/alpha", "sim/beta").build());
        }
        for (int i = 0; i < 10; i++) sim.pipeline.awaitResult("n" + i);

        var seen = sim.pipeline.settle(Duration.ofMillis(500));

        for (int i = 0; i < 10; i++) assertThat(seen.get("n" + i)).hasSize(1);
    }
}
