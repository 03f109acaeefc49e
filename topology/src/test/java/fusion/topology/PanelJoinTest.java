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
            PipelineSettings.defaults().withCallDeadline(Duration.ofSeconds(2)), Map.of());

    @AfterEach
    void close() {
        sim.close();
    }

    @Test
    @DisplayName("a model that never answers fails as a timeout once its call's deadline passes, with no new records")
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
        // result here was emitted on the last answer, not by a deadline.
        try (SimulatedPipeline patient = new SimulatedPipeline(
                PipelineSettings.defaults().withCallDeadline(Duration.ofMinutes(10)), Map.of())) {
            patient.pipeline.submit(ask("fast", "q", "sim/alpha", "sim/beta", "sim/gamma").build());

            FusionResult result = patient.pipeline.awaitResult("fast", Duration.ofSeconds(20));

            assertThat(result.getResponses()).hasSize(3);
            assertThat(result.getFailedModels()).isEmpty();
        }
    }

    @Test
    @DisplayName("a member queued behind its model's limit is not timed out by its sibling's answer: its deadline counts from when it is sent")
    void deadlineCountsFromSend() {
        // One slot for the slow model: q2's slow call waits for q1's (about 2.5 s of real time, 5 s of the
        // driver's clock), then takes as long again. Counted from q2's fast answer that is past the 8 s
        // deadline; counted from its own send it is well inside.
        try (SimulatedPipeline queued = new SimulatedPipeline(PipelineSettings.defaults().withCallDeadline(Duration.ofSeconds(8)),
                Map.of(), new fusion.calls.CallCapacity(16, 1))) {
            queued.pipeline.submit(ask("q1", "first", "sim/slow-2500").build());
            queued.pipeline.submit(ask("q2", "second", "sim/alpha", "sim/slow-2500").build());

            FusionResult first = queued.pipeline.awaitResult("q1", Duration.ofSeconds(30));
            FusionResult second = queued.pipeline.awaitResult("q2", Duration.ofSeconds(30));

            assertThat(first.getFailedModels()).isEmpty();
            assertThat(second.getFailedModels()).isEmpty();
            assertThat(second.getResponses()).extracting(r -> r.getModel()).containsExactly("sim/alpha", "sim/slow-2500");
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
