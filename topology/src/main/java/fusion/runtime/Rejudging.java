package fusion.runtime;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.dataset.Dataset;
import fusion.dataset.DatasetException;
import fusion.dataset.DatasetRow;
import fusion.intake.RequestJson;
import fusion.schema.CallRecord;
import fusion.schema.FusionResult;
import fusion.schema.ModelResponse;
import fusion.schema.ResultStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Judging finished results again with another judge, without paying the panel again: each result with panel answers
 * becomes a judge-only request ({@code panel_responses}) for its question.
 *
 * <p>On the topics a re-judged request goes under a derived id, {@code <id>~rejudge-<label>} (the label is the judge,
 * with {@code +<final model>} when one is set), so the intake's idempotence does not take it for the original request
 * and its result never replaces the original result on the compacted results topic. The same re-judging asked again
 * maps to the same id, so a rerun resumes instead of paying twice; another label ({@code fusion rejudge --label}) judges
 * again. In the output file the result goes back under its
 * original id, with {@code metadata.rejudged_as} naming the id it had on the topics.
 */
public final class Rejudging {
    /** Metadata of a re-judged request: the id of the result it judges again. */
    public static final String REJUDGE_OF = "rejudge_of";
    /** Metadata of a re-judged result in the output file: its id on the topics. */
    public static final String REJUDGED_AS = "rejudged_as";

    private Rejudging() {}

    /**
     * @param requests       judge-only requests, one JSON object each, as a dataset row
     * @param suppliedAnswers panel answers taken from the results, across all requests
     * @param withoutAnswers  ids of results with no panel answer (an error result): nothing to judge
     * @param withoutQuestion ids of results whose question the dataset does not have
     */
    public record Plan(List<ObjectNode> requests, int suppliedAnswers, List<String> withoutAnswers, List<String> withoutQuestion) {}

    public static String label(String judge, String finalModel) {
        return finalModel == null ? judge : judge + "+" + finalModel;
    }

    public static String rejudgedId(String id, String label) {
        return id + "~rejudge-" + label;
    }

    /**
     * The requests that judge {@code results} again with {@code judge}, each asking its question as {@code questions}
     * (the dataset the results came from: a result does not carry its question) asked it.
     *
     * @param label     names this re-judging in the derived ids: {@link #label} unless the user named it
     * @param onlyAsked leave out results whose id the dataset does not ask (a results topic holds other jobs' results,
     *                  and re-judged ones), instead of listing them in {@link Plan#withoutQuestion}
     */
    public static Plan plan(Map<String, FusionResult> results, Dataset questions, String judge, String finalModel, String label,
                            boolean onlyAsked) throws IOException {
        Map<String, ObjectNode> asked = questionsById(questions);
        List<ObjectNode> requests = new ArrayList<>();
        List<String> withoutAnswers = new ArrayList<>();
        List<String> withoutQuestion = new ArrayList<>();
        int supplied = 0;
        for (FusionResult r : results.values()) {
            ObjectNode row = asked.get(r.getRequestId());
            if (row == null && onlyAsked) continue;
            if (r.getStatus() != ResultStatus.ok || r.getResponses().isEmpty()) {
                withoutAnswers.add(r.getRequestId());
                continue;
            }
            if (row == null) {
                withoutQuestion.add(r.getRequestId());
                continue;
            }
            requests.add(request(row, r, judge, finalModel, label));
            supplied += r.getResponses().size();
        }
        return new Plan(requests, supplied, withoutAnswers, withoutQuestion);
    }

    private static ObjectNode request(ObjectNode question, FusionResult r, String judge, String finalModel, String label) {
        ObjectNode q = question.deepCopy();
        q.remove(List.of("id", "request_id", "preset", "analysis_models", "model", "final_model", "turn_id"));
        q.put("request_id", rejudgedId(r.getRequestId(), label));
        q.put("model", judge);
        if (finalModel != null) q.put("final_model", finalModel);
        Map<String, CallRecord> usage = panelUsage(r);
        ArrayNode panel = q.putArray("panel_responses");
        for (ModelResponse m : r.getResponses()) {
            ObjectNode answer = panel.addObject().put("model", m.getModel()).put("content", m.getContent());
            CallRecord paid = usage.get(m.getModel());
            if (paid != null) {
                ObjectNode u = answer.putObject("usage").put("prompt_tokens", paid.getUsage().getPromptTokens())
                        .put("completion_tokens", paid.getUsage().getCompletionTokens()).put("reasoning_tokens", paid.getUsage().getReasoningTokens());
                if (paid.getUsage().getCost() != null) u.put("cost", paid.getUsage().getCost());
            }
        }
        ObjectNode metadata = q.has("metadata") && q.get("metadata").isObject() ? (ObjectNode) q.get("metadata") : q.putObject("metadata");
        r.getMetadata().forEach(metadata::put);
        metadata.put(REJUDGE_OF, r.getRequestId());
        return q;
    }

    /** A panel model's own call, when the result's call ledger names it (results read from a topic do; a JSONL line's stand-ins do not). */
    private static Map<String, CallRecord> panelUsage(FusionResult r) {
        Map<String, CallRecord> out = new HashMap<>();
        for (CallRecord c : r.getCalls()) {
            if (c.getStage().equals("panel") && c.getErrorKind() == null) out.putIfAbsent(c.getModel(), c);
        }
        return out;
    }

    private static Map<String, ObjectNode> questionsById(Dataset questions) throws IOException {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        questions.format().reader().read(questions.file(), questions.columns(), (DatasetRow row) -> {
            if (row.problem() == null) out.putIfAbsent(RequestJson.idOf(row.fields()), row.fields());
        });
        if (out.isEmpty()) throw new DatasetException(questions.file().getFileName() + " has no readable question; give the dataset the results came from");
        return out;
    }

    /** A re-judged result under its original id, saying which id it had on the topics. */
    public static FusionResult restored(FusionResult rejudged) {
        String original = rejudged.getMetadata().get(REJUDGE_OF);
        if (original == null) return rejudged;
        FusionResult r = FusionResult.newBuilder(rejudged).build();
        Map<String, String> metadata = new HashMap<>(r.getMetadata());
        metadata.remove(REJUDGE_OF);
        metadata.put(REJUDGED_AS, rejudged.getRequestId());
        r.setMetadata(metadata);
        r.setRequestId(original);
        return r;
    }
}
