package fusion.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a results file says about a dataset's deliberation: per model, per dataset and per request.
 * Built from the results' JSON alone, so it reads a file of any run, live or simulated.
 *
 * <p>A model <em>sided with the consensus</em> in an analysed request when, in every contradiction the
 * judge found, the stance it took was held by more of the panel than any other stance (a model in no
 * contradiction sided with it). Stances that differ only in their figures, case or spacing are one position.
 */
public record DatasetReport(String title, List<ModelFigures> models, Map<String, Integer> statuses,
        List<Bubble> consensusAgainstContradictions, Map<String, Integer> topTopics, List<StageSplit> stages,
        List<RequestView> requests) {

    static final int TOP_TOPICS = 10;
    static final List<String> STAGES = List.of("panel", "judge", "synthesis");
    /** The status of an ok result whose judge failed: its answers are there, its analysis is not. */
    static final String WITHOUT_ANALYSIS = "ok without analysis";

    /** One model across the dataset; latency and cost from its panel calls (its judge and synthesis calls have rows of their own). */
    public record ModelFigures(String model, int answers, Map<String, Integer> failures, int analysed, int sidedWithConsensus,
            int contradictions, int uniqueInsights, Distribution latencyMs, Distribution cost) {
        public int failureCount() {
            return failures.values().stream().mapToInt(Integer::intValue).sum();
        }

        /** Percent of its analysed answers that sided with the consensus; 0 with none analysed. */
        public int consensusPercent() {
            return analysed == 0 ? 0 : Math.round(100f * sidedWithConsensus / analysed);
        }
    }

    /** A sample's spread: count, min, median, 90th percentile, max. */
    public record Distribution(int count, double min, double median, double p90, double max) {
        static Distribution of(List<Double> values) {
            if (values.isEmpty()) return new Distribution(0, 0, 0, 0, 0);
            List<Double> sorted = values.stream().sorted().toList();
            return new Distribution(sorted.size(), sorted.get(0), rank(sorted, 0.5), rank(sorted, 0.9), sorted.get(sorted.size() - 1));
        }

        private static double rank(List<Double> sorted, double q) {
            // nearest rank: the smallest value with at least q of the sample at or below it
            return sorted.get(Math.max(0, (int) Math.ceil(q * sorted.size()) - 1));
        }
    }

    /** How many analysed requests had this many consensus points and this many contradictions. */
    public record Bubble(int consensus, int contradictions, int requests) {}

    /** What one stage cost over the dataset. */
    public record StageSplit(String stage, double cost, long promptTokens, long completionTokens) {
        public long tokens() {
            return promptTokens + completionTokens;
        }
    }

    public record Stance(String model, String stance) {}

    public record Contradiction(String topic, List<Stance> stances) {}

    public record Coverage(List<String> models, String point) {}

    public record Insight(String model, String insight) {}

    public record Analysis(List<String> consensus, List<Contradiction> contradictions, List<Coverage> partialCoverage,
            List<Insight> uniqueInsights, List<String> blindSpots) {}

    public record Answer(String model, String content) {}

    public record Failure(String model, String reason, String message) {}

    /** One request as the table shows it; {@code analysis} is null when the result has none. */
    public record RequestView(String requestId, String status, List<String> models, Analysis analysis, List<Answer> answers,
            List<Failure> failures, String error, String judgeFailure, String finalAnswer, Double cost, long totalMs) {
        public int consensusCount() {
            return analysis == null ? 0 : analysis.consensus().size();
        }

        public int contradictionCount() {
            return analysis == null ? 0 : analysis.contradictions().size();
        }
    }

    public static DatasetReport of(String title, List<JsonNode> results) {
        Map<String, ModelTally> tallies = new TreeMap<>();
        Map<String, Integer> statuses = new TreeMap<>();
        Map<List<Integer>, Integer> bubbles = new TreeMap<>(Comparator.<List<Integer>>comparingInt(k -> k.get(0)).thenComparingInt(k -> k.get(1)));
        Map<String, Integer> topics = new HashMap<>();
        Map<String, double[]> stageCost = new LinkedHashMap<>();
        Map<String, long[]> stageTokens = new LinkedHashMap<>();
        List<RequestView> requests = new ArrayList<>();
        for (JsonNode r : results) {
            RequestView view = view(r);
            requests.add(view);
            statuses.merge(view.status(), 1, Integer::sum);
            for (Answer a : view.answers()) tallies.computeIfAbsent(a.model(), ModelTally::new).answers++;
            for (Failure f : view.failures()) tallies.computeIfAbsent(f.model(), ModelTally::new).failures.merge(f.reason(), 1, Integer::sum);
            for (JsonNode call : r.path("calls")) {
                ModelTally t = tallies.computeIfAbsent(caller(call), ModelTally::new);
                t.latency.add(call.path("latency_ms").asDouble());
                if (call.hasNonNull("cost")) t.cost.add(call.path("cost").asDouble());
            }
            for (String stage : STAGES) {
                JsonNode u = r.path("usage").path(stage);
                if (u.isMissingNode()) continue;
                stageCost.computeIfAbsent(stage, s -> new double[1])[0] += u.path("cost").asDouble(0);
                long[] tokens = stageTokens.computeIfAbsent(stage, s -> new long[2]);
                tokens[0] += u.path("prompt_tokens").asLong();
                tokens[1] += u.path("completion_tokens").asLong();
            }
            Analysis analysis = view.analysis();
            if (analysis == null) continue;
            bubbles.merge(List.of(analysis.consensus().size(), analysis.contradictions().size()), 1, Integer::sum);
            Set<String> outside = new LinkedHashSet<>();
            for (Contradiction c : analysis.contradictions()) {
                topics.merge(c.topic().strip().toLowerCase(Locale.ROOT), 1, Integer::sum);
                Map<String, Integer> holders = new HashMap<>();
                c.stances().forEach(s -> holders.merge(position(s.stance()), 1, Integer::sum));
                int most = holders.values().stream().mapToInt(Integer::intValue).max().orElse(0);
                boolean tied = holders.values().stream().filter(n -> n == most).count() > 1;
                for (Stance s : c.stances()) {
                    tallies.computeIfAbsent(s.model(), ModelTally::new).contradictions++;
                    if (tied || holders.get(position(s.stance())) < most) outside.add(s.model());
                }
            }
            for (Insight u : analysis.uniqueInsights()) tallies.computeIfAbsent(u.model(), ModelTally::new).uniqueInsights++;
            for (Answer a : view.answers()) {
                ModelTally t = tallies.get(a.model());
                t.analysed++;
                if (!outside.contains(a.model())) t.sided++;
            }
        }
        List<StageSplit> stages = new ArrayList<>();
        stageCost.forEach((stage, cost) -> stages.add(new StageSplit(stage, cost[0], stageTokens.get(stage)[0], stageTokens.get(stage)[1])));
        Map<String, Integer> top = new LinkedHashMap<>();
        topics.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(TOP_TOPICS).forEach(e -> top.put(e.getKey(), e.getValue()));
        List<Bubble> bubbleList = new ArrayList<>();
        bubbles.forEach((k, n) -> bubbleList.add(new Bubble(k.get(0), k.get(1), n)));
        return new DatasetReport(title, tallies.values().stream().map(ModelTally::figures).toList(), statuses, bubbleList, top, stages,
                requests);
    }

    private static final java.util.regex.Pattern FIGURE = java.util.regex.Pattern.compile("\\d+(?:[.,]\\d+)*");

    /** A stance as a position: "demand falls about 10%" and "Demand falls about 11%" take the same side. */
    static String position(String stance) {
        return FIGURE.matcher(stance.toLowerCase(Locale.ROOT)).replaceAll("#").replaceAll("\\s+", " ").strip();
    }

    /** The model of that name, for tests and lookups. */
    public ModelFigures model(String name) {
        return models.stream().filter(m -> m.model().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no model " + name + " in the report"));
    }

    /**
     * Whose figures a call counts in: a panel call its model's; a judge or synthesis call a row of its own ("model (judge)"),
     * so a model that is both panelist and judge does not mix the judge's long prompts into its panel latency.
     */
    private static String caller(JsonNode call) {
        String stage = call.path("stage").asText("panel");
        return stage.equals("panel") ? call.path("model").asText() : call.path("model").asText() + " (" + stage + ")";
    }

    private static RequestView view(JsonNode r) {
        List<Answer> answers = new ArrayList<>();
        r.path("responses").forEach(a -> answers.add(new Answer(a.path("model").asText(), a.path("content").asText())));
        List<Failure> failures = new ArrayList<>();
        r.path("failed_models").forEach(f -> failures.add(new Failure(f.path("model").asText(), f.path("reason").asText("unknown"),
                f.path("error").asText(""))));
        Set<String> models = new LinkedHashSet<>();
        answers.forEach(a -> models.add(a.model()));
        failures.forEach(f -> models.add(f.model()));
        Analysis analysis = r.has("analysis") ? analysis(r.get("analysis")) : null;
        String status = r.path("status").asText();
        if (status.equals("error")) status = "error: " + r.path("failure_reason").asText("unexpected_error");
        else if (analysis == null) status = WITHOUT_ANALYSIS;
        JsonNode cost = r.path("usage").path("total").path("cost");
        return new RequestView(r.path("request_id").asText(), status, List.copyOf(models), analysis, answers, failures,
                r.path("error").asText(null), r.has("judge_failure") ? r.path("judge_failure").path("error").asText() : null,
                r.path("final_answer").asText(null), cost.isNumber() ? cost.asDouble() : null, r.path("timings").path("total_ms").asLong());
    }

    private static Analysis analysis(JsonNode a) {
        List<String> consensus = texts(a.path("consensus"));
        List<Contradiction> contradictions = new ArrayList<>();
        a.path("contradictions").forEach(c -> {
            List<Stance> stances = new ArrayList<>();
            c.path("stances").forEach(s -> stances.add(new Stance(s.path("model").asText(), s.path("stance").asText())));
            contradictions.add(new Contradiction(c.path("topic").asText(), stances));
        });
        List<Coverage> partial = new ArrayList<>();
        a.path("partial_coverage").forEach(p -> partial.add(new Coverage(texts(p.path("models")), p.path("point").asText())));
        List<Insight> unique = new ArrayList<>();
        a.path("unique_insights").forEach(u -> unique.add(new Insight(u.path("model").asText(), u.path("insight").asText())));
        return new Analysis(consensus, contradictions, partial, unique, texts(a.path("blind_spots")));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static final class ModelTally {
        final String model;
        int answers;
        final Map<String, Integer> failures = new TreeMap<>();
        int analysed;
        int sided;
        int contradictions;
        int uniqueInsights;
        final List<Double> latency = new ArrayList<>();
        final List<Double> cost = new ArrayList<>();

        ModelTally(String model) {
            this.model = model;
        }

        ModelFigures figures() {
            return new ModelFigures(model, answers, java.util.Collections.unmodifiableMap(failures), analysed, sided, contradictions, uniqueInsights,
                    Distribution.of(latency), Distribution.of(cost));
        }
    }
}
