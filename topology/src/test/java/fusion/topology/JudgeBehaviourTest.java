package fusion.topology;

import static fusion.topology.Requests.ask;
import static org.assertj.core.api.Assertions.assertThat;

import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The judge and synthesis stages, end to end through the topology and the simulator. */
class JudgeBehaviourTest {
    private static final List<String> PANEL = List.of("sim/alpha", "sim/beta", "sim/gamma");
    private final SimulatedPipeline sim = new SimulatedPipeline();

    @AfterEach
    void close() {
        sim.close();
    }

    @Test
    @DisplayName("the judge's analysis names models, not the anonymous labels it saw")
    void analysisIsMappedBackToModelNames() {
        sim.pipeline.submit(ask("j1", "Should a city adopt congestion pricing? Where do experts disagree?",
                PANEL.toArray(String[]::new)).build());

        FusionResult result = sim.pipeline.awaitResult("j1");

        assertThat(result.getStatus()).isEqualTo(ResultStatus.ok);
        assertThat(result.getAnalysis()).isNotNull();
        assertThat(result.getJudgeFailure()).isNull();
        assertThat(result.getAnalysis().getConsensus()).isNotEmpty();
        List<String> named = new ArrayList<>();
        result.getAnalysis().getUniqueInsights().forEach(u -> named.add(u.getModel()));
        result.getAnalysis().getPartialCoverage().forEach(p -> named.addAll(p.getModels()));
        result.getAnalysis().getContradictions().forEach(c -> c.getStances().forEach(s -> named.add(s.getModel())));
        assertThat(named).isNotEmpty().allSatisfy(m -> assertThat(PANEL).contains(m));
        assertThat(result.getResponses()).extracting(r -> r.getModel()).containsExactlyElementsOf(PANEL);
        assertThat(result.getCalls()).extracting(c -> c.getStage()).containsExactly("panel", "panel", "panel", "judge");
    }

    @Test
    @DisplayName("judge answers prose → ok with responses, no analysis, judge_failure judge_not_valid_json")
    void judgeProse() {
        sim.pipeline.submit(ask("j2", "q", "sim/alpha", "sim/beta").setModel("sim/prose-judge").build());

        FusionResult result = sim.pipeline.awaitResult("j2");

        assertThat(result.getStatus()).isEqualTo(ResultStatus.ok);
        assertThat(result.getAnalysis()).isNull();
        assertThat(result.getResponses()).hasSize(2);
        assertThat(result.getJudgeFailure().getReason()).isEqualTo("judge_not_valid_json");
        assertThat(result.getJudgeFailure().getModel()).isEqualTo("sim/prose-judge");
    }

    @Test
    @DisplayName("judge answers JSON of the wrong shape → judge_failure judge_schema_mismatch")
    void judgeMisshapen() {
        sim.pipeline.submit(ask("j3", "q", "sim/alpha", "sim/beta").setModel("sim/misshapen-judge").build());

        FusionResult result = sim.pipeline.awaitResult("j3");

        assertThat(result.getStatus()).isEqualTo(ResultStatus.ok);
        assertThat(result.getAnalysis()).isNull();
        assertThat(result.getJudgeFailure().getReason()).isEqualTo("judge_schema_mismatch");
    }

    @Test
    @DisplayName("judge call fails upstream → judge_failure judge_upstream_error with its status")
    void judgeUpstreamError() {
        sim.pipeline.submit(ask("j4", "q", "sim/alpha", "sim/beta").setModel("sim/always-500").build());

        FusionResult result = sim.pipeline.awaitResult("j4");

        assertThat(result.getStatus()).isEqualTo(ResultStatus.ok);
        assertThat(result.getAnalysis()).isNull();
        assertThat(result.getJudgeFailure().getReason()).isEqualTo("judge_upstream_error");
        assertThat(result.getJudgeFailure().getStatusCode()).isEqualTo(500);
    }

    @Test
    @DisplayName("judge returns an empty completion → judge_failure judge_empty_completion")
    void judgeEmpty() {
        sim.pipeline.submit(ask("j5", "q", "sim/alpha", "sim/beta").setModel("sim/always-empty").build());

        FusionResult result = sim.pipeline.awaitResult("j5");

        assertThat(result.getStatus()).isEqualTo(ResultStatus.ok);
        assertThat(result.getAnalysis()).isNull();
        assertThat(result.getJudgeFailure().getReason()).isEqualTo("judge_empty_completion");
    }

    @Test
    @DisplayName("final_model set → synthesis writes final_answer from the analysis")
    void synthesisWritesFinalAnswer() {
        sim.pipeline.submit(ask("j6", "Is nuclear power worth expanding?", "sim/alpha", "sim/beta")
                .setFinalModel("sim/writer").build());

        FusionResult result = sim.pipeline.awaitResult("j6");

        assertThat(result.getStatus()).isEqualTo(ResultStatus.ok);
        assertThat(result.getAnalysis()).isNotNull();
        assertThat(result.getFinalModel()).isEqualTo("sim/writer");
        assertThat(result.getFinalAnswer()).startsWith("(simulated final answer)");
        assertThat(result.getCalls()).extracting(c -> c.getStage()).endsWith("judge", "synthesis");
    }

    @Test
    @DisplayName("synthesis fails → still ok, no final_answer, synthesis_failure says why")
    void synthesisFails() {
        sim.pipeline.submit(ask("j7", "q", "sim/alpha").setFinalModel("sim/always-402").build());

        FusionResult result = sim.pipeline.awaitResult("j7");

        assertThat(result.getStatus()).isEqualTo(ResultStatus.ok);
        assertThat(result.getFinalAnswer()).isNull();
        assertThat(result.getSynthesisFailure().getReason()).isEqualTo("insufficient_credits");
        assertThat(result.getAnalysis()).isNotNull();
    }
}
