package fusion.eval;

import fusion.judge.ModelAnswer;
import fusion.model.ChatClient;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.schema.CallRecord;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.schema.Message;
import fusion.schema.ModelResponse;
import fusion.schema.ResultStatus;
import fusion.synthesis.SynthesisPrompt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Finished results graded against gold answers by a grader model: each panel model's answer, the fused answer
 * ({@code final_answer}, or one written for the eval when a result has none), and a majority vote of the panel where
 * its answers are short labels. Every call goes through the client it is given, so through the run's limits, retries
 * and cost accounting.
 */
public final class Evaluation {
    public static final String FUSED = "fused";
    public static final String MAJORITY = "majority";
    /** A short label: a few words at most, as a classification or multiple-choice dataset's answers are. */
    private static final int LABEL_CHARS = 40;
    private static final int LABEL_WORDS = 4;

    private final ChatClient client;
    private final String grader;
    private final String finalModel;
    private final GradeCache cache;
    private final java.util.concurrent.atomic.AtomicInteger reused = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * @param finalModel who writes a fused answer for a result that has none; null: the result's own judge
     * @param cache      grades paid for by earlier evals, or null
     */
    public Evaluation(ChatClient client, String grader, String finalModel, GradeCache cache) {
        this.client = client;
        this.grader = grader;
        this.finalModel = finalModel;
        this.cache = cache;
    }

    /** One answer's grade: {@code answer} is a panel model, {@link #FUSED} or {@link #MAJORITY}. */
    public record Grade(String id, String answer, Double score, String reason, String failure, double answerCost, double gradingCost) {}

    /**
     * @param skipped results not graded at all: no gold answer, an error result, or (for the fused answer) no question to
     *                write one from
     */
    public record Outcome(List<Grade> grades, Map<String, String> skipped, double synthesisCost, int synthesisCalls, int reusedGrades) {}

    /** @param questions questions by id, where known: a fused answer written for the eval needs its question */
    public Outcome grade(Map<String, FusionResult> results, Map<String, GoldAnswers.Gold> gold, Map<String, String> questions) {
        List<CompletableFuture<Grade>> pending = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        double[] synthesis = new double[2];
        for (FusionResult r : results.values()) {
            GoldAnswers.Gold g = gold.get(r.getRequestId());
            if (g == null) {
                skipped.put(r.getRequestId(), "no gold answer");
                continue;
            }
            if (r.getStatus() != ResultStatus.ok || r.getResponses().isEmpty()) {
                skipped.put(r.getRequestId(), "an error result: no answer to grade");
                continue;
            }
            String question = questions.getOrDefault(r.getRequestId(), g.question());
            Map<String, Double> costs = panelCosts(r);
            for (ModelResponse m : r.getResponses()) {
                pending.add(grade(r.getRequestId(), m.getModel(), question, g.answer(), m.getContent(), costs.getOrDefault(m.getModel(), 0.0)));
            }
            String label = majority(r.getResponses());
            if (label != null) {
                double all = costs.values().stream().mapToDouble(Double::doubleValue).sum();
                pending.add(grade(r.getRequestId(), MAJORITY, question, g.answer(), label, all));
            }
            double total = r.getCalls().stream().mapToDouble(Evaluation::cost).sum();
            if (r.getFinalAnswer() != null && !r.getFinalAnswer().isBlank()) {
                pending.add(grade(r.getRequestId(), FUSED, question, g.answer(), r.getFinalAnswer(), total));
            } else if (question == null) {
                skipped.put(r.getRequestId(), "its fused answer: no final_answer, and no question to write one from (give --input)");
            } else {
                String writer = finalModel != null ? finalModel : r.getJudgeModel();
                pending.add(synthesis(r, question, writer).thenCompose(written -> {
                    synchronized (synthesis) {
                        synthesis[0] += written.usage().cost() == null ? 0 : written.usage().cost();
                        synthesis[1]++;
                    }
                    double cost = total + (written.usage().cost() == null ? 0 : written.usage().cost());
                    if (!written.succeeded() || written.content() == null || written.content().isBlank()) {
                        return CompletableFuture.completedFuture(new Grade(r.getRequestId(), FUSED, null, null,
                                "synthesis_" + (written.failure() == null ? "empty_completion" : written.failure().wireName()), cost, 0));
                    }
                    return grade(r.getRequestId(), FUSED, question, g.answer(), written.content(), cost);
                }));
            }
        }
        List<Grade> grades = pending.stream().map(CompletableFuture::join).toList();
        return new Outcome(grades, skipped, synthesis[0], (int) synthesis[1], reused.get());
    }

    private CompletableFuture<Grade> grade(String id, String answer, String question, String gold, String content, double answerCost) {
        String key = GradeCache.key(grader, question, gold, content);
        GraderPrompt.Grade earlier = cache == null ? null : cache.get(key);
        if (earlier != null) {
            reused.incrementAndGet();
            return CompletableFuture.completedFuture(new Grade(id, answer, earlier.score(), earlier.reason(), null, answerCost, 0));
        }
        ChatRequest call = ChatRequest.of(grader, GraderPrompt.build(question, gold, content)).withTemperature(0.0);
        return client.complete(call).thenApply(o -> {
            double gradingCost = o.usage().cost() == null ? 0 : o.usage().cost();
            if (!o.succeeded()) return new Grade(id, answer, null, null, "grader_" + o.failure().wireName(), answerCost, gradingCost);
            GraderPrompt.Grade g = GraderPrompt.parse(o.content());
            if (cache != null) cache.put(key, g);
            return new Grade(id, answer, g.score(), g.reason(), g.failure(), answerCost, gradingCost);
        });
    }

    private CompletableFuture<ChatOutcome> synthesis(FusionResult r, String question, String writer) {
        FusionRequest asked = FusionRequest.newBuilder().setRequestId(r.getRequestId()).setMessages(List.of(new Message("user", question))).build();
        List<ModelAnswer> answers = r.getResponses().stream().map(m -> new ModelAnswer(m.getModel(), m.getContent())).toList();
        return client.complete(ChatRequest.of(writer, SynthesisPrompt.build(asked, r.getAnalysis(), answers)));
    }

    /**
     * The panel's most common answer when every answer is a short label (compared without case, spaces and end
     * punctuation); null when an answer is longer, or when no label has more votes than every other.
     */
    static String majority(List<ModelResponse> responses) {
        Map<String, Integer> votes = new LinkedHashMap<>();
        Map<String, String> shown = new HashMap<>();
        for (ModelResponse m : responses) {
            String text = m.getContent() == null ? "" : m.getContent().strip();
            if (text.isEmpty() || text.length() > LABEL_CHARS || text.split("\\s+").length > LABEL_WORDS) return null;
            String label = text.toLowerCase(Locale.ROOT).replaceAll("[\\s.!?\"']+$", "").replaceAll("^[\\s\"']+", "").replaceAll("\\s+", " ");
            votes.merge(label, 1, Integer::sum);
            shown.putIfAbsent(label, text);
        }
        String best = null;
        int most = 0;
        boolean tie = false;
        for (var v : votes.entrySet()) {
            if (v.getValue() > most) {
                best = v.getKey();
                most = v.getValue();
                tie = false;
            } else if (v.getValue() == most) {
                tie = true;
            }
        }
        return best == null || tie ? null : shown.get(best);
    }

    /**
     * What each panel model's answer cost: its own call where the result's ledger names it (results read from a topic),
     * else the panel stage's cost shared evenly over its answers (a results file keeps only the stage's totals).
     */
    private static Map<String, Double> panelCosts(FusionResult r) {
        Map<String, Double> own = new HashMap<>();
        double stage = 0;
        for (CallRecord c : r.getCalls()) {
            if (!c.getStage().equals("panel")) continue;
            stage += cost(c);
            own.merge(c.getModel(), cost(c), Double::sum);
        }
        boolean named = r.getResponses().stream().allMatch(m -> own.containsKey(m.getModel()));
        if (named) return own;
        Map<String, Double> shared = new HashMap<>();
        for (ModelResponse m : r.getResponses()) shared.put(m.getModel(), stage / r.getResponses().size());
        return shared;
    }

    /** A call's cost, paid now or before (a reused answer's cost is what it cost when it was made). */
    private static double cost(CallRecord c) {
        return c.getUsage().getCost() == null ? 0 : c.getUsage().getCost();
    }
}
