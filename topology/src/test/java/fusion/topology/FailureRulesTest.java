package fusion.topology;

import static fusion.topology.Requests.ask;
import static org.assertj.core.api.Assertions.assertThat;

import fusion.schema.FailedModel;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The spec's failure rules, end to end through the topology and the simulator. */
class FailureRulesTest {
    private final SimulatedPipeline sim = new SimulatedPipeline();

    @AfterEach
    void close() {
        sim.close();
    }

    @Test
    @DisplayName("some panel models fail → ok, with failed_models giving model, reason, status and message")
    void somePanelModelsFail() {
        sim.pipeline.submit(ask("r1", "Compare Rust and Go for services", "sim/alpha", "sim/always-500", "sim/beta").build());

        FusionResult result = sim.pipeline.awaitResult("r1");

        assertThat(result.getStatus()).isEqualTo(ResultStatus.ok);
        assertThat(result.getResponses()).extracting(r -> r.getModel()).containsExactly("sim/alpha", "sim/beta");
        assertThat(result.getFailedModels()).hasSize(1);
        FailedModel failed = result.getFailedModels().get(0);
        assertThat(failed.getModel()).isEqualTo("sim/always-500");
        assertThat(failed.getReason()).isEqualTo("server_error");
        assertThat(failed.getStatusCode()).isEqualTo(500);
        assertThat(failed.getMessage()).isNotBlank();
        assertThat(result.getAnalysis()).isNotNull();
    }

    @Test
    @DisplayName("all panels fail, one for credits → failure_reason insufficient_credits")
    void allFailOneForCredits() {
        sim.pipeline.submit(ask("r2", "q", "sim/always-429", "sim/always-402", "sim/always-500").build());

        FusionResult result = sim.pipeline.awaitResult("r2");

        assertThat(result.getStatus()).isEqualTo(ResultStatus.error);
        assertThat(result.getFailureReason()).isEqualTo("insufficient_credits");
        assertThat(result.getError()).isEqualTo("all panel models failed");
        assertThat(result.getFailedModels()).extracting(FailedModel::getReason)
                .containsExactly("rate_limited", "insufficient_credits", "server_error");
        assertThat(result.getResponses()).isEmpty();
        assertThat(result.getAnalysis()).isNull();
    }

    @Test
    @DisplayName("all panels fail, one rate limited and none for credits → failure_reason rate_limited")
    void allFailOneRateLimited() {
        sim.pipeline.submit(ask("r3", "q", "sim/always-500", "sim/always-429").build());

        FusionResult result = sim.pipeline.awaitResult("r3");

        assertThat(result.getStatus()).isEqualTo(ResultStatus.error);
        assertThat(result.getFailureReason()).isEqualTo("rate_limited");
        assertThat(result.getFailedModels()).filteredOn(f -> f.getModel().equals("sim/always-429"))
                .singleElement().satisfies(f -> assertThat(f.getStatusCode()).isEqualTo(429));
    }

    @Test
    @DisplayName("all panels fail for other reasons → failure_reason all_panels_failed")
    void allFailOtherwise() {
        sim.pipeline.submit(ask("r4", "q", "sim/always-500", "sim/always-empty", "sim/always-garbage").build());

        FusionResult result = sim.pipeline.awaitResult("r4");

        assertThat(result.getStatus()).isEqualTo(ResultStatus.error);
        assertThat(result.getFailureReason()).isEqualTo("all_panels_failed");
        assertThat(result.getFailedModels()).extracting(FailedModel::getReason)
                .containsExactly("server_error", "empty_completion", "invalid_response");
    }

    @Test
    @DisplayName("an empty completion is a failure, not an answer")
    void emptyCompletionIsAFailure() {
        sim.pipeline.submit(ask("r5", "q", "sim/alpha", "sim/always-empty").build());

        FusionResult result = sim.pipeline.awaitResult("r5");

        assertThat(result.getStatus()).isEqualTo(ResultStatus.ok);
        assertThat(result.getResponses()).extracting(r -> r.getModel()).containsExactly("sim/alpha");
        assertThat(result.getFailedModels()).extracting(FailedModel::getReason).containsExactly("empty_completion");
    }
}
