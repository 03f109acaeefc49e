package fusion.topology;

import static fusion.topology.Requests.ask;
import static org.assertj.core.api.Assertions.assertThat;

import fusion.calls.CallBudget;
import fusion.calls.CallCapacity;
import fusion.schema.FailedModel;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** --max-cost: once the spend reaches the limit no call starts, and every request still gets its one result. */
class CostLimitTest {
    private static final int REQUESTS = 6;

    @Test
    @DisplayName("cost limit reached → no new call is sent; the remaining requests get failure_reason budget_exceeded, none dropped")
    void budgetStop() {
        // One call per model at a time, and a limit that the first answer's cost already passes.
        CallBudget budget = new CallBudget(1e-9, Map.of());
        CallCapacity capacity = new CallCapacity(64, 1).withBudget(budget);
        try (SimulatedPipeline sim = new SimulatedPipeline(PipelineSettings.defaults(), Map.of(), capacity)) {
            for (int i = 0; i < REQUESTS; i++) {
                sim.pipeline.submit(ask("b" + i, "Question " + i + ": weigh option A against option B", "sim/alpha", "sim/beta").build());
            }
            for (int i = 0; i < REQUESTS; i++) sim.pipeline.awaitResult("b" + i);
            Map<String, List<FusionResult>> results = sim.pipeline.settle(Duration.ofMillis(300));

            assertThat(results).hasSize(REQUESTS);
            results.forEach((id, got) -> assertThat(got).as("results for " + id).hasSize(1));
            FusionResult first = results.get("b0").get(0);
            assertThat(first.getStatus()).as("b0's panel went out before the limit was reached").isEqualTo(ResultStatus.ok);
            assertThat(first.getAnalysis()).as("its judge call came after the limit").isNull();
            assertThat(first.getJudgeFailure().getMessage()).contains("cost limit");
            for (int i = 1; i < REQUESTS; i++) {
                FusionResult r = results.get("b" + i).get(0);
                assertThat(r.getStatus()).isEqualTo(ResultStatus.error);
                assertThat(r.getFailureReason()).isEqualTo("budget_exceeded");
                assertThat(r.getError()).contains("cost limit");
                assertThat(r.getFailedModels()).extracting(FailedModel::getReason).containsOnly("budget_exceeded");
            }
            assertThat(sim.simulator.callCount()).as("only b0's two panel calls were sent").isEqualTo(2);
            assertThat(budget.spent()).isGreaterThan(0);
        }
    }
}
