package fusion.results;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.schema.Analysis;
import fusion.schema.CallRecord;
import fusion.schema.FailedModel;
import fusion.schema.FusionResult;
import fusion.schema.ModelResponse;
import fusion.schema.ResultStatus;
import fusion.schema.TokenUsage;
import fusion.schema.UniqueInsight;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ResultJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static FusionResult.Builder ok() {
        return FusionResult.newBuilder().setRequestId("r1").setStatus(ResultStatus.ok)
                .setResponses(new ArrayList<>(List.of(new ModelResponse("a/one", "answer one"))))
                .setReceivedAt(1000).setCompletedAt(3500);
    }

    @Test
    @DisplayName("an ok result renders the spec's fields: status, analysis, responses, failed_models")
    void okShape() throws Exception {
        FusionResult r = ok()
                .setAnalysis(Analysis.newBuilder().setConsensus(List.of("agree"))
                        .setUniqueInsights(List.of(new UniqueInsight("a/one", "only me"))).build())
                .setFailedModels(new ArrayList<>(List.of(new FailedModel("b/two", "rate_limited", 429, "slow down"))))
                .setCalls(new ArrayList<>(List.of(
                        new CallRecord("panel", "a/one", 200, null, 900L, 1, new TokenUsage(10L, 20L, 0L, 0.002, 0L, null), false, Map.of(), 0L, 1),
                        new CallRecord("panel", "b/two", 429, "rate_limited", 50L, 4, new TokenUsage(0L, 0L, 0L, null, 0L, null), false, Map.of(), 0L, 1),
                        new CallRecord("judge", "j", 200, null, 700L, 1, new TokenUsage(40L, 30L, 5L, 0.001, 0L, null), false, Map.of(), 0L, 1))))
                .setMetadata(Map.of("row", "3"))
                .build();

        JsonNode json = JSON.readTree(ResultJson.toJson(r));

        assertThat(json.get("status").asText()).isEqualTo("ok");
        assertThat(json.get("analysis").get("consensus").get(0).asText()).isEqualTo("agree");
        assertThat(json.get("analysis").get("unique_insights").get(0).get("model").asText()).isEqualTo("a/one");
        assertThat(json.get("analysis").get("contradictions").isArray()).isTrue();
        assertThat(json.get("responses").get(0).get("content").asText()).isEqualTo("answer one");
        JsonNode failed = json.get("failed_models").get(0);
        assertThat(failed.get("model").asText()).isEqualTo("b/two");
        assertThat(failed.get("reason").asText()).isEqualTo("rate_limited");
        assertThat(failed.get("status_code").asInt()).isEqualTo(429);
        assertThat(failed.get("message").asText()).isEqualTo("slow down");
        assertThat(failed.get("error").asText()).as("OpenRouter's FailedModel requires error, the message").isEqualTo("slow down");
        assertThat(json.get("type").asText()).as("OpenRouter's OutputFusionServerToolItem requires type").isEqualTo("openrouter:fusion");
        assertThat(json.has("error")).isFalse();
        assertThat(json.has("failure_reason")).isFalse();
        assertThat(json.get("usage").get("panel").get("calls").asInt()).isEqualTo(2);
        assertThat(json.get("calls")).as("each call on its own, for latency and cost per model").hasSize(3);
        assertThat(json.get("calls").get(0).get("model").asText()).isEqualTo("a/one");
        assertThat(json.get("calls").get(0).get("latency_ms").asLong()).isEqualTo(900);
        assertThat(json.get("calls").get(1).get("error_kind").asText()).isEqualTo("rate_limited");
        assertThat(json.get("calls").get(1).has("cost")).isFalse();
        assertThat(json.get("usage").get("total").get("cost").asDouble()).isEqualTo(0.003, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(json.get("usage").get("total").get("prompt_tokens").asLong()).isEqualTo(50);
        assertThat(json.get("timings").get("total_ms").asLong()).isEqualTo(2500);
        assertThat(json.get("metadata").get("row").asText()).isEqualTo("3");
    }

    @Test
    @DisplayName("judge failed → analysis omitted, responses kept, judge_failure says why")
    void judgeFailed() throws Exception {
        FusionResult r = ok().setJudgeFailure(new FailedModel("j", "judge_not_valid_json", 200, "prose")).build();

        JsonNode json = JSON.readTree(ResultJson.toJson(r));

        assertThat(json.has("analysis")).isFalse();
        assertThat(json.has("failed_models")).isFalse();
        assertThat(json.get("responses")).hasSize(1);
        assertThat(json.get("judge_failure").get("reason").asText()).isEqualTo("judge_not_valid_json");
    }

    @Test
    @DisplayName("an error result carries error and failure_reason, and no responses")
    void errorShape() throws Exception {
        FusionResult r = FusionResult.newBuilder().setRequestId("r2").setStatus(ResultStatus.error)
                .setError("all panel models failed").setFailureReason("all_panels_failed").build();

        JsonNode json = JSON.readTree(ResultJson.toJson(r));

        assertThat(json.get("status").asText()).isEqualTo("error");
        assertThat(json.get("error").asText()).isEqualTo("all panel models failed");
        assertThat(json.get("failure_reason").asText()).isEqualTo("all_panels_failed");
        assertThat(json.has("responses")).isFalse();
        assertThat(json.has("analysis")).isFalse();
    }

    @Test
    @DisplayName("a line read back, with its call ledger, is the same result: rendered again it is the same line, and every call is whole")
    void lineReadBackWithLedger() {
        FusionResult r = ok()
                .setAnalysis(Analysis.newBuilder().setConsensus(List.of("agree")).setBlindSpots(List.of("cost")).build())
                .setFailedModels(new ArrayList<>(List.of(new FailedModel("b/two", "rate_limited", 429, null))))
                .setJudgeModel("j").setFinalModel("w").setFinalAnswer("so it is")
                .setCalls(new ArrayList<>(List.of(
                        new CallRecord("panel", "a/one", 200, null, 900L, 2, new TokenUsage(10L, 20L, 3L, 0.002, 0L, null), false,
                                Map.of("server_error", 1), 40L, 3),
                        new CallRecord("panel", "c/three", 200, null, 0L, 1, new TokenUsage(5L, 6L, 0L, 0.004, 0L, null), true, Map.of(), 0L, 0),
                        new CallRecord("judge", "j", 500, "server_error", 700L, 1, new TokenUsage(0L, 0L, 0L, null, 0L, null), false, Map.of(), 0L, 1))))
                .setPanelMs(900L).setJudgeMs(700L).setAttempt(2).setMetadata(Map.of("row", "3", "batch_id", "b"))
                .setQuorum(new fusion.schema.Quorum(1, 1))
                .build();
        String line = ResultJson.toJson(r);

        FusionResult back = ResultJson.parse(line.getBytes(java.nio.charset.StandardCharsets.UTF_8), ResultJson.ledger(r.getCalls()));

        assertThat(ResultJson.toJson(back)).isEqualTo(line);
        assertThat(back.getCalls()).isEqualTo(r.getCalls());
        assertThat(back.getFailedModels()).isEqualTo(r.getFailedModels());
        assertThat(back.getAnalysis()).isEqualTo(r.getAnalysis());
        assertThat(back.getAttempt()).isEqualTo(2);
        assertThat(back.getMetadata()).isEqualTo(r.getMetadata());
        assertThat(back.getQuorum()).isEqualTo(r.getQuorum());
    }

    @Test
    @DisplayName("a line read back without its ledger still adds up to the same usage per stage, so it renders as the same line")
    void lineReadBackWithoutLedger() {
        FusionResult r = FusionResult.newBuilder().setRequestId("r3").setStatus(ResultStatus.error).setFailureReason("all_panels_failed")
                .setFailedModels(new ArrayList<>(List.of(new FailedModel("a/one", "server_error", 503, "busy"))))
                .setCalls(new ArrayList<>(List.of(
                        new CallRecord("panel", "a/one", 503, "server_error", 10L, 3, new TokenUsage(7L, 0L, 0L, 0.5, 0L, null), false, Map.of(), 0L, 3),
                        new CallRecord("panel", "b/two", 200, null, 10L, 1, new TokenUsage(4L, 2L, 0L, 0.25, 0L, null), false, Map.of(), 0L, 1),
                        new CallRecord("panel", "c/three", 200, null, 0L, 1, new TokenUsage(1L, 1L, 0L, 0.125, 0L, null), true, Map.of(), 0L, 0))))
                .setReceivedAt(5).setCompletedAt(9).build();
        String line = ResultJson.toJson(r);

        FusionResult back = ResultJson.parse(line.getBytes(java.nio.charset.StandardCharsets.UTF_8), null);

        assertThat(ResultJson.toJson(back)).isEqualTo(line);
        assertThat(back.getError()).isEqualTo("fusion failed: all_panels_failed");
    }

    @Test
    @DisplayName("text that is no result line → an error naming what is missing or wrong")
    void notAResultLine() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ResultJson.parse("{\"status\": \"ok\"}".getBytes(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("request_id is missing");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ResultJson.parse("{\"request_id\": ".getBytes(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("a result is not valid JSON");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ResultJson.parse("[1]".getBytes(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a result must be a JSON object");
    }
}
