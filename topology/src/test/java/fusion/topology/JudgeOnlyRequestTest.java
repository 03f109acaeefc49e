package fusion.topology;

import static fusion.topology.Requests.ask;
import static org.assertj.core.api.Assertions.assertThat;

import fusion.schema.CallRecord;
import fusion.schema.FusionResult;
import fusion.schema.ModelResponse;
import fusion.schema.ResultStatus;
import fusion.schema.SuppliedResponse;
import fusion.schema.TokenUsage;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A request that brings its panel's answers (panel_responses) runs only the judge, and the synthesis if asked. */
class JudgeOnlyRequestTest {
    private static final List<SuppliedResponse> ANSWERS = List.of(
            new SuppliedResponse("sim/alpha", "Rust: no GC pauses, a steeper learning curve.", new TokenUsage(40L, 120L, 0L, 0.0021, 0L, null)),
            new SuppliedResponse("sim/beta", "Go: fast builds and simple concurrency.", null));

    @Test
    @DisplayName("an Avro request with every panel answer supplied → only the judge is called; the answers are the result's responses")
    void suppliedPanelIsNotCalled() {
        try (SimulatedPipeline sim = new SimulatedPipeline()) {
            sim.pipeline.submit(ask("judge-only", "Compare Rust and Go for services").setAnalysisModels(List.of())
                    .setModel("sim/other-judge").setPanelResponses(ANSWERS).build());
            FusionResult r = sim.pipeline.awaitResult("judge-only");

            assertThat(sim.simulator.callCount()).as("the judge's call alone").isEqualTo(1);
            assertThat(r.getStatus()).isEqualTo(ResultStatus.ok);
            assertThat(r.getAnalysis()).isNotNull();
            assertThat(r.getJudgeModel()).isEqualTo("sim/other-judge");
            assertThat(r.getResponses()).containsExactly(new ModelResponse("sim/alpha", ANSWERS.get(0).getContent()),
                    new ModelResponse("sim/beta", ANSWERS.get(1).getContent()));
            List<CallRecord> panel = r.getCalls().stream().filter(c -> c.getStage().equals("panel")).toList();
            assertThat(panel).extracting(CallRecord::getReused).containsExactly(true, true);
            assertThat(panel).extracting(CallRecord::getHttpRequests).containsOnly(0);
            assertThat(panel.get(0).getUsage().getCost()).as("what the answer cost when it was made").isEqualTo(0.0021);
        }
    }

    @Test
    @DisplayName("a JSON request supplying one of two panel answers, with a final model → the other panel model, the judge and the writer are called")
    void partlySuppliedPanel() {
        try (SimulatedPipeline sim = new SimulatedPipeline()) {
            sim.pipeline.submitJson("part", "{\"prompt\": \"Compare Rust and Go for services\", \"analysis_models\": [\"sim/alpha\", \"sim/gamma\"],"
                    + " \"model\": \"sim/judge\", \"final_model\": \"sim/writer\","
                    + " \"panel_responses\": [{\"model\": \"sim/alpha\", \"content\": \"Rust, for its latency.\"}]}");
            FusionResult r = sim.pipeline.awaitResult("part");

            assertThat(sim.simulator.callCount()).as("sim/gamma, the judge, the writer").isEqualTo(3);
            assertThat(r.getResponses()).extracting(ModelResponse::getModel).containsExactlyInAnyOrder("sim/alpha", "sim/gamma");
            assertThat(r.getResponses()).contains(new ModelResponse("sim/alpha", "Rust, for its latency."));
            assertThat(r.getFinalAnswer()).isNotBlank();
        }
    }

    @Test
    @DisplayName("panel_responses naming a model outside analysis_models → invalid_request naming panel_responses[0].model")
    void suppliedAnswerOfAnotherPanel() {
        try (SimulatedPipeline sim = new SimulatedPipeline()) {
            sim.pipeline.submitJson("stray", "{\"prompt\": \"Q\", \"analysis_models\": [\"sim/alpha\"],"
                    + " \"panel_responses\": [{\"model\": \"sim/beta\", \"content\": \"an answer\"}]}");
            FusionResult r = sim.pipeline.awaitResult("stray");

            assertThat(r.getFailureReason()).isEqualTo("invalid_request");
            assertThat(r.getError()).startsWith("panel_responses[0].model is 'sim/beta'");
            assertThat(sim.simulator.callCount()).isZero();
        }
    }

    @Test
    @DisplayName("panel_responses whose entry has no content → invalid_request naming panel_responses[1].content")
    void suppliedAnswerWithoutContent() {
        try (SimulatedPipeline sim = new SimulatedPipeline()) {
            sim.pipeline.submitJson("empty", "{\"prompt\": \"Q\", \"panel_responses\": [{\"model\": \"sim/alpha\", \"content\": \"yes\"},"
                    + " {\"model\": \"sim/beta\"}]}");
            FusionResult r = sim.pipeline.awaitResult("empty");

            assertThat(r.getFailureReason()).isEqualTo("invalid_request");
            assertThat(r.getError()).contains("panel_responses[1].content is missing");
        }
    }
}
