package fusion.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.schema.Analysis;
import fusion.schema.CallRecord;
import fusion.schema.Contradiction;
import fusion.schema.FailedModel;
import fusion.schema.FusionResult;
import fusion.schema.ModelResponse;
import fusion.schema.PartialCoverage;
import fusion.schema.ResultStatus;
import fusion.schema.Stance;
import fusion.schema.TokenUsage;
import fusion.schema.UniqueInsight;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Renders a FusionResult as the spec's tool result: {@code status}, {@code analysis},
 * {@code responses}, {@code failed_models}, {@code error}, {@code failure_reason}, with the
 * spec's omissions (no analysis when the judge failed, no failed_models when none failed). What a
 * bulk user needs besides comes after, under names the spec does not use.
 *
 * <p>{@link #parse} reads such a line back. The line sums the call ledger per stage; the ledger itself
 * ({@link #ledger}) travels beside it where a reader needs each call (cost per model, retries, why the
 * judge failed), as the results topic's {@code fusion.result.calls} header does.
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
        if (!r.getJudgeWarnings().isEmpty()) r.getJudgeWarnings().forEach(out.withArray("judge_warnings")::add);
        if (!r.getJudgeOrder().isEmpty()) r.getJudgeOrder().forEach(out.withArray("judge_order")::add);
        if (r.getFinalModel() != null) out.put("final_model", r.getFinalModel());
        if (r.getFinalAnswer() != null) out.put("final_answer", r.getFinalAnswer());
        if (r.getSynthesisFailure() != null) out.set("synthesis_failure", failure(r.getSynthesisFailure()));
        ArrayNode sources = out.putArray("sources");
        r.getSources().forEach(s -> {
            ObjectNode node = sources.addObject().put("url", s.getUrl());
            s.getModels().forEach(node.putArray("models")::add);
        });
        if (!r.getCalls().isEmpty()) {
            out.set("usage", usage(r.getCalls()));
            out.set("calls", calls(r.getCalls()));
        }
        out.set("timings", timings(r));
        if (r.getQuorum() != null) {
            out.putObject("quorum").put("required", r.getQuorum().getRequired()).put("answered", r.getQuorum().getAnswered());
        }
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

    /** Each model call on its own, so a report can show latency and cost per model, not only per stage. */
    private static ArrayNode calls(List<CallRecord> calls) {
        ArrayNode out = JSON.createArrayNode();
        for (CallRecord c : calls) {
            ObjectNode n = out.addObject().put("stage", c.getStage()).put("model", c.getModel()).put("latency_ms", c.getLatencyMs())
                    .put("prompt_tokens", c.getUsage().getPromptTokens()).put("completion_tokens", c.getUsage().getCompletionTokens());
            if (c.getUsage().getReasoningTokens() > 0) n.put("reasoning_tokens", c.getUsage().getReasoningTokens());
            if (c.getUsage().getToolCalls() > 0) n.put("tool_calls", c.getUsage().getToolCalls());
            if (c.getUsage().getCost() != null) n.put("cost", c.getUsage().getCost());
            if (c.getErrorKind() != null) n.put("error_kind", c.getErrorKind());
            if (c.getReused()) n.put("reused", true);
        }
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

    /**
     * A result from its JSON line, as {@link #toJson} wrote it: {@code toJson(parse(line, ledger))} is the line again.
     * Fields it does not know are ignored, so lines of a later release read too.
     *
     * @param ledger the calls as {@link #ledger} wrote them, or null: then the calls are rebuilt from the line's
     *               {@code usage}, one stand-in per call of each stage, carrying its stage's totals
     * @throws IllegalArgumentException naming what is missing or mistyped when the text is not such a line
     */
    public static FusionResult parse(byte[] line, byte[] ledger) {
        JsonNode node = tree(line, "a result");
        if (!node.isObject()) throw new IllegalArgumentException("a result must be a JSON object");
        FusionResult.Builder r = FusionResult.newBuilder()
                .setRequestId(requiredText(node, "request_id"))
                .setStatus("ok".equals(requiredText(node, "status")) ? ResultStatus.ok : ResultStatus.error);
        if (node.hasNonNull("analysis")) r.setAnalysis(analysisOf(node.get("analysis")));
        r.setResponses(list(node.get("responses"), m -> new ModelResponse(m.path("model").asText(), m.path("content").asText())));
        r.setFailedModels(list(node.get("failed_models"), ResultJson::failureOf));
        r.setError(text(node, "error"));
        r.setFailureReason(text(node, "failure_reason"));
        r.setJudgeModel(text(node, "judge_model"));
        r.setJudgeWarnings(list(node.get("judge_warnings"), JsonNode::asText));
        r.setJudgeOrder(list(node.get("judge_order"), JsonNode::asText));
        r.setSources(list(node.get("sources"), n -> new fusion.schema.Source(n.path("url").asText(), list(n.get("models"), JsonNode::asText))));
        if (node.hasNonNull("judge_failure")) r.setJudgeFailure(failureOf(node.get("judge_failure")));
        r.setFinalModel(text(node, "final_model"));
        r.setFinalAnswer(text(node, "final_answer"));
        if (node.hasNonNull("synthesis_failure")) r.setSynthesisFailure(failureOf(node.get("synthesis_failure")));
        r.setCalls(ledger != null ? callsOf(tree(ledger, "a call ledger"))
                : node.path("calls").isArray() ? callsOfLine(node.get("calls"), node.path("usage")) : standIns(node.path("usage"), node));
        JsonNode t = node.path("timings");
        r.setReceivedAt(t.path("received_at").asLong()).setCompletedAt(t.path("completed_at").asLong());
        r.setPanelMs(t.hasNonNull("panel_ms") ? t.get("panel_ms").asLong() : null);
        r.setJudgeMs(t.hasNonNull("judge_ms") ? t.get("judge_ms").asLong() : null);
        r.setSynthesisMs(t.hasNonNull("synthesis_ms") ? t.get("synthesis_ms").asLong() : null);
        r.setAttempt(node.path("attempt").asInt(1));
        JsonNode quorum = node.path("quorum");
        if (quorum.isObject()) r.setQuorum(new fusion.schema.Quorum(quorum.path("required").asInt(), quorum.path("answered").asInt()));
        Map<String, String> metadata = new HashMap<>();
        node.path("metadata").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
        r.setMetadata(metadata);
        return r.build();
    }

    /** Every call of a result, one JSON object each, under the Avro record's field names. */
    public static byte[] ledger(List<CallRecord> calls) {
        ArrayNode out = JSON.createArrayNode();
        for (CallRecord c : calls) {
            ObjectNode n = out.addObject().put("stage", c.getStage()).put("model", c.getModel());
            if (c.getStatusCode() != null) n.put("status_code", c.getStatusCode());
            if (c.getErrorKind() != null) n.put("error_kind", c.getErrorKind());
            n.put("latency_ms", c.getLatencyMs()).put("attempts", c.getAttempts());
            ObjectNode usage = n.putObject("usage").put("prompt_tokens", c.getUsage().getPromptTokens())
                    .put("completion_tokens", c.getUsage().getCompletionTokens()).put("reasoning_tokens", c.getUsage().getReasoningTokens());
            if (c.getUsage().getCost() != null) usage.put("cost", c.getUsage().getCost());
            if (c.getUsage().getToolCalls() != 0) usage.put("tool_calls", c.getUsage().getToolCalls());
            if (c.getUsage().getToolCost() != null) usage.put("tool_cost", c.getUsage().getToolCost());
            n.put("reused", c.getReused());
            ObjectNode retries = n.putObject("retries");
            new TreeMap<>(c.getRetries()).forEach(retries::put);
            n.put("circuit_wait_ms", c.getCircuitWaitMs()).put("http_requests", c.getHttpRequests());
        }
        try {
            return JSON.writeValueAsBytes(out);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<CallRecord> callsOf(JsonNode ledger) {
        if (!ledger.isArray()) throw new IllegalArgumentException("a call ledger must be a JSON array of calls");
        return list(ledger, c -> {
            JsonNode u = c.path("usage");
            Map<String, Integer> retries = new HashMap<>();
            c.path("retries").fields().forEachRemaining(e -> retries.put(e.getKey(), e.getValue().asInt()));
            return new CallRecord(requiredText(c, "stage"), requiredText(c, "model"), c.hasNonNull("status_code") ? c.get("status_code").asInt() : null,
                    text(c, "error_kind"), c.path("latency_ms").asLong(), c.path("attempts").asInt(1), usageOf(u), c.path("reused").asBoolean(),
                    retries, c.path("circuit_wait_ms").asLong(), c.path("http_requests").asInt());
        });
    }

    /**
     * The calls as the line lists them (latency, tokens, cost, failure, reuse per call; not retries or HTTP counts).
     * A stage's tool cost is not per call on the line: it goes with the stage's first call.
     */
    private static List<CallRecord> callsOfLine(JsonNode calls, JsonNode usage) {
        Set<String> toolCostPlaced = new HashSet<>();
        return list(calls, c -> {
            String stage = requiredText(c, "stage");
            JsonNode stageUsage = usage.path(stage);
            Double toolCost = stageUsage.hasNonNull("tool_cost") && toolCostPlaced.add(stage) ? stageUsage.get("tool_cost").asDouble() : null;
            TokenUsage u = new TokenUsage(c.path("prompt_tokens").asLong(), c.path("completion_tokens").asLong(), c.path("reasoning_tokens").asLong(),
                    c.hasNonNull("cost") ? c.get("cost").asDouble() : null, c.path("tool_calls").asLong(), toolCost);
            return new CallRecord(stage, requiredText(c, "model"), null, text(c, "error_kind"), c.path("latency_ms").asLong(), 1, u,
                    c.path("reused").asBoolean(), new HashMap<>(), 0L, 0);
        });
    }

    /**
     * Calls that add up to a line's usage when its ledger is not at hand: per stage, as many paid calls as it
     * counts (the first carrying the stage's tokens and cost) and as many reused ones (the first carrying what
     * they saved). The judge's and the writer's stand-ins bear their model; the panel's, the stage's name.
     */
    private static List<CallRecord> standIns(JsonNode usage, JsonNode result) {
        List<CallRecord> calls = new ArrayList<>();
        for (String stage : STAGES) {
            JsonNode s = usage.path(stage);
            if (s.isMissingNode()) continue;
            String model = switch (stage) {
                case "judge" -> result.path("judge_model").asText(stage);
                case "synthesis" -> result.path("final_model").asText(stage);
                default -> stage;
            };
            for (int i = 0; i < s.path("calls").asInt(); i++) {
                TokenUsage u = i == 0 ? usageOf(s) : new TokenUsage(0L, 0L, 0L, null, 0L, null);
                calls.add(new CallRecord(stage, model, null, null, 0L, 1, u, false, new HashMap<>(), 0L, 0));
            }
            for (int i = 0; i < s.path("reused_calls").asInt(); i++) {
                Double saved = i == 0 && s.hasNonNull("saved_cost") ? s.get("saved_cost").asDouble() : null;
                calls.add(new CallRecord(stage, model, null, null, 0L, 1, new TokenUsage(0L, 0L, 0L, saved, 0L, null), true, new HashMap<>(), 0L, 0));
            }
        }
        return calls;
    }

    private static TokenUsage usageOf(JsonNode u) {
        return new TokenUsage(u.path("prompt_tokens").asLong(), u.path("completion_tokens").asLong(), u.path("reasoning_tokens").asLong(),
                u.hasNonNull("cost") ? u.get("cost").asDouble() : null, u.path("tool_calls").asLong(0),
                u.hasNonNull("tool_cost") ? u.get("tool_cost").asDouble() : null);
    }

    private static Analysis analysisOf(JsonNode a) {
        return new Analysis(list(a.get("consensus"), JsonNode::asText),
                list(a.get("contradictions"), c -> new Contradiction(c.path("topic").asText(),
                        list(c.get("stances"), s -> new Stance(s.path("model").asText(), s.path("stance").asText())))),
                list(a.get("partial_coverage"), p -> new PartialCoverage(list(p.get("models"), JsonNode::asText), p.path("point").asText())),
                list(a.get("unique_insights"), u -> new UniqueInsight(u.path("model").asText(), u.path("insight").asText())),
                list(a.get("blind_spots"), JsonNode::asText));
    }

    /** The inverse of {@link #failure}: {@code error} repeats the message (or the reason), so it is not read back. */
    private static FailedModel failureOf(JsonNode f) {
        return new FailedModel(requiredText(f, "model"), f.path("reason").asText(f.path("error").asText()),
                f.hasNonNull("status_code") ? f.get("status_code").asInt() : null, text(f, "message"));
    }

    private static <T> List<T> list(JsonNode array, Function<JsonNode, T> each) {
        List<T> out = new ArrayList<>();
        if (array != null && array.isArray()) array.forEach(n -> out.add(each.apply(n)));
        return out;
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    private static String requiredText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new IllegalArgumentException(field + (v == null ? " is missing" : " is not a non-empty string"));
        }
        return v.asText();
    }

    private static JsonNode tree(byte[] text, String what) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
