package fusion.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.schema.Analysis;
import fusion.schema.CallRecord;
import fusion.schema.FailedModel;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders a FusionResult as the spec's tool result: {@code status}, {@code analysis},
 * {@code responses}, {@code failed_models}, {@code error}, {@code failure_reason}, with the
 * spec's omissions (no analysis when the judge failed, no failed_models when none failed). What a
 * bulk user needs besides comes after, under names the spec does not use.
 */
public final class ResultJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> STAGES = List.of("panel", "judge", "synthesis");

    private ResultJson() {}

    /** One line of JSON. */
    public static String toJson(FusionResult r) {
        try {
            return JSON.writeValueAsString(toNode(r));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectNode toNode(FusionResult r) {
        ObjectNode out = JSON.createObjectNode();
        // OpenRouter's SDK types for the fusion tool output (OutputFusionServerToolItem) require type and status.
        out.put("type", "openrouter:fusion");
        out.put("request_id", r.getRequestId());
        out.put("status", r.getStatus().name());
        if (r.getAnalysis() != null) out.set("analysis", analysis(r.getAnalysis()));
        if (r.getStatus() == ResultStatus.ok || !r.getResponses().isEmpty()) {
            ArrayNode responses = out.putArray("responses");
            r.getResponses().forEach(m -> responses.addObject().put("model", m.getModel()).put("content", m.getContent() == null ? "" : m.getContent()));
        }
        if (!r.getFailedModels().isEmpty()) {
            ArrayNode failed = out.putArray("failed_models");
            r.getFailedModels().forEach(f -> failed.add(failure(f)));
        }
        if (r.getStatus() == ResultStatus.error) {
            // OpenRouter's types take both as strings, never null
            String reason = r.getFailureReason() != null ? r.getFailureReason() : FailureReason.UNEXPECTED_ERROR.wireName();
            out.put("error", r.getError() != null && !r.getError().isBlank() ? r.getError() : "fusion failed: " + reason);
            out.put("failure_reason", reason);
        }
        if (r.getJudgeModel() != null) out.put("judge_model", r.getJudgeModel());
        if (r.getJudgeFailure() != null) out.set("judge_failure", failure(r.getJudgeFailure()));
        if (r.getFinalModel() != null) out.put("final_model", r.getFinalModel());
        if (r.getFinalAnswer() != null) out.put("final_answer", r.getFinalAnswer());
        if (r.getSynthesisFailure() != null) out.set("synthesis_failure", failure(r.getSynthesisFailure()));
        ArrayNode sources = out.putArray("sources");
        r.getSources().forEach(s -> {
            ObjectNode node = sources.addObject().put("url", s.getUrl());
            s.getModels().forEach(node.putArray("models")::add);
        });
        if (!r.getCalls().isEmpty()) out.set("usage", usage(r.getCalls()));
        out.set("timings", timings(r));
        if (r.getAttempt() > 1) out.put("attempt", r.getAttempt());
        if (!r.getMetadata().isEmpty()) {
            ObjectNode metadata = out.putObject("metadata");
            new TreeMap<>(r.getMetadata()).forEach(metadata::put);
        }
        return out;
    }

    private static ObjectNode analysis(Analysis a) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode consensus = out.putArray("consensus");
        a.getConsensus().forEach(consensus::add);
        ArrayNode contradictions = out.putArray("contradictions");
        a.getContradictions().forEach(c -> {
            ObjectNode node = contradictions.addObject().put("topic", c.getTopic());
            ArrayNode stances = node.putArray("stances");
            c.getStances().forEach(s -> stances.addObject().put("model", s.getModel()).put("stance", s.getStance()));
        });
        ArrayNode partial = out.putArray("partial_coverage");
        a.getPartialCoverage().forEach(p -> {
            ObjectNode node = partial.addObject();
            ArrayNode models = node.putArray("models");
            p.getModels().forEach(models::add);
            node.put("point", p.getPoint());
        });
        ArrayNode unique = out.putArray("unique_insights");
        a.getUniqueInsights().forEach(u -> unique.addObject().put("model", u.getModel()).put("insight", u.getInsight()));
        ArrayNode blind = out.putArray("blind_spots");
        a.getBlindSpots().forEach(blind::add);
        return out;
    }

    private static ObjectNode failure(FailedModel f) {
        // model and error are what OpenRouter's FailedModel requires, status_code a number when present (never null);
        // reason is our typed kind, message kept for earlier readers
        boolean hasMessage = f.getMessage() != null && !f.getMessage().isBlank();
        ObjectNode node = JSON.createObjectNode().put("model", f.getModel()).put("error", hasMessage ? f.getMessage() : f.getReason())
                .put("reason", f.getReason());
        if (f.getStatusCode() != null) node.put("status_code", f.getStatusCode());
        if (f.getMessage() != null) node.put("message", f.getMessage());
        return node;
    }

    /** Tokens and cost per stage and in total; cost is null when no call reported one. */
    private static ObjectNode usage(List<CallRecord> calls) {
        Map<String, Totals> byStage = new LinkedHashMap<>();
        Totals total = new Totals();
        for (CallRecord c : calls) {
            byStage.computeIfAbsent(c.getStage(), s -> new Totals()).add(c);
            total.add(c);
        }
        ObjectNode out = JSON.createObjectNode();
        for (String stage : STAGES) {
            if (byStage.containsKey(stage)) out.set(stage, byStage.get(stage).toNode());
        }
        out.set("total", total.toNode());
        return out;
    }

    /** What was paid for; calls answered from an earlier identical call count apart, with what they would have cost. */
    private static final class Totals {
        int calls;
        long prompt;
        long completion;
        long reasoning;
        Double cost;
        int reused;
        double saved;
        long toolCalls;
        Double toolCost;

        void add(CallRecord c) {
            if (c.getReused()) {
                reused++;
                if (c.getUsage().getCost() != null) saved += c.getUsage().getCost();
                return;
            }
            calls++;
            prompt += c.getUsage().getPromptTokens();
            completion += c.getUsage().getCompletionTokens();
            reasoning += c.getUsage().getReasoningTokens();
            if (c.getUsage().getCost() != null) cost = (cost == null ? 0 : cost) + c.getUsage().getCost();
            toolCalls += c.getUsage().getToolCalls();
            if (c.getUsage().getToolCost() != null) toolCost = (toolCost == null ? 0 : toolCost) + c.getUsage().getToolCost();
        }

        ObjectNode toNode() {
            ObjectNode n = JSON.createObjectNode().put("calls", calls).put("prompt_tokens", prompt)
                    .put("completion_tokens", completion).put("reasoning_tokens", reasoning);
            if (cost == null) n.putNull("cost");
            else n.put("cost", cost);
            if (reused > 0) n.put("reused_calls", reused).put("saved_cost", saved);
            if (toolCalls > 0) n.put("tool_calls", toolCalls);
            if (toolCost != null) n.put("tool_cost", toolCost);
            return n;
        }
    }

    private static ObjectNode timings(FusionResult r) {
        ObjectNode t = JSON.createObjectNode().put("received_at", r.getReceivedAt()).put("completed_at", r.getCompletedAt())
                .put("total_ms", Math.max(0, r.getCompletedAt() - r.getReceivedAt()));
        if (r.getPanelMs() != null) t.put("panel_ms", r.getPanelMs());
        if (r.getJudgeMs() != null) t.put("judge_ms", r.getJudgeMs());
        if (r.getSynthesisMs() != null) t.put("synthesis_ms", r.getSynthesisMs());
        return t;
    }
}
