package fusion.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The eval's table: a row per panel model, one for the majority vote when there was one, and one labelled
 * {@code fused}: how many answers were graded, the mean score, wins and losses against the best single model (on the
 * same ids, a higher or a lower score), and what the answers cost.
 */
public final class Scoreboard {
    /** @param best whether this is the best single model, the one the others are compared with */
    public record Row(String answer, int graded, double meanScore, int wins, int losses, double cost, boolean best) {}

    private final List<Row> rows;
    private final String bestSingle;

    private Scoreboard(List<Row> rows, String bestSingle) {
        this.rows = rows;
        this.bestSingle = bestSingle;
    }

    public List<Row> rows() {
        return rows;
    }

    /** The panel model with the highest mean score, or null when none was graded. */
    public String bestSingle() {
        return bestSingle;
    }

    /**
     * The scoreboard of a grades file as {@code fusion eval --out} writes it, for {@code fusion report --grades}.
     *
     * @throws IllegalArgumentException naming the file and line, when a line is no grade
     */
    public static Scoreboard read(java.nio.file.Path file) throws java.io.IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<Evaluation.Grade> grades = new java.util.ArrayList<>();
        int number = 0;
        for (String line : java.nio.file.Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8)) {
            number++;
            if (line.isBlank()) continue;
            com.fasterxml.jackson.databind.JsonNode g;
            try {
                g = json.readTree(line);
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new IllegalArgumentException(file + " line " + number + " is not JSON; give the file fusion eval --out wrote");
            }
            if (!g.path("request_id").isTextual() || !g.path("answer").isTextual()) {
                throw new IllegalArgumentException(file + " line " + number + " is no grade (request_id and answer are missing); "
                        + "give the file fusion eval --out wrote");
            }
            grades.add(new Evaluation.Grade(g.get("request_id").asText(), g.get("answer").asText(),
                    g.hasNonNull("score") ? g.get("score").asDouble() : null, g.hasNonNull("reason") ? g.get("reason").asText() : null,
                    g.hasNonNull("failure") ? g.get("failure").asText() : null, g.path("answer_cost").asDouble(), g.path("grading_cost").asDouble()));
        }
        return of(grades);
    }

    public static Scoreboard of(List<Evaluation.Grade> grades) {
        Map<String, Map<String, Double>> scores = new LinkedHashMap<>();
        Map<String, Double> costs = new HashMap<>();
        for (Evaluation.Grade g : grades) {
            scores.computeIfAbsent(g.answer(), a -> new LinkedHashMap<>());
            costs.merge(g.answer(), g.answerCost(), Double::sum);
            if (g.score() != null) scores.get(g.answer()).put(g.id(), g.score());
        }
        List<String> order = new ArrayList<>();
        scores.keySet().stream().filter(a -> !a.equals(Evaluation.FUSED) && !a.equals(Evaluation.MAJORITY)).forEach(order::add);
        String best = null;
        for (String a : order) {
            if (!scores.get(a).isEmpty() && (best == null || mean(scores.get(a)) > mean(scores.get(best)))) best = a;
        }
        if (scores.containsKey(Evaluation.MAJORITY)) order.add(Evaluation.MAJORITY);
        order.add(Evaluation.FUSED);
        List<Row> rows = new ArrayList<>();
        for (String a : order) {
            Map<String, Double> mine = scores.getOrDefault(a, Map.of());
            int wins = 0;
            int losses = 0;
            if (best != null && !a.equals(best)) {
                for (var e : mine.entrySet()) {
                    Double theirs = scores.get(best).get(e.getKey());
                    if (theirs == null) continue;
                    if (e.getValue() > theirs) wins++;
                    else if (e.getValue() < theirs) losses++;
                }
            }
            rows.add(new Row(a, mine.size(), mean(mine), wins, losses, costs.getOrDefault(a, 0.0), a.equals(best)));
        }
        return new Scoreboard(rows, best);
    }

    private static double mean(Map<String, Double> scores) {
        return scores.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    public String describe() {
        int width = Math.max(8, rows.stream().mapToInt(r -> r.answer().length()).max().orElse(0));
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s  %6s  %6s  %5s  %6s  %10s%n",
                "answer", "graded", "score", "wins", "losses", "cost"));
        for (Row r : rows) {
            String wins = r.best() ? "best" : Integer.toString(r.wins());
            String losses = r.best() ? "-" : Integer.toString(r.losses());
            s.append(String.format(Locale.ROOT, "%-" + width + "s  %6d  %5.1f%%  %5s  %6s  %10s%n", r.answer(), r.graded(), 100 * r.meanScore(),
                    wins, losses, String.format(Locale.ROOT, "$%.4f", r.cost())));
        }
        if (bestSingle != null) {
            s.append("wins and losses: ids where the answer scored above or below the best single model, ").append(bestSingle).append('\n');
        }
        return s.toString();
    }
}
