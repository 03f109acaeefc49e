package fusion.simulator;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The simulator's grader: asked to grade an answer against a gold answer (a prompt with a "# Gold answer" and an
 * "# Answer to grade" section, as fusion eval writes it), it scores how much of the gold answer the graded answer
 * covers: the share of the gold answer's words that the graded answer has too. Deterministic, so an eval over the
 * simulator gives the same table every time.
 */
final class SimulatedGrades {
    static final String GOLD_MARKER = "# Gold answer";
    static final String ANSWER_MARKER = "# Answer to grade";

    private SimulatedGrades() {}

    static boolean isGrader(String lastUser) {
        return lastUser.contains(GOLD_MARKER + "\n") && lastUser.contains("\n" + ANSWER_MARKER + "\n");
    }

    static String grade(String lastUser) {
        int gold = lastUser.indexOf(GOLD_MARKER + "\n") + GOLD_MARKER.length() + 1;
        int answer = lastUser.indexOf("\n" + ANSWER_MARKER + "\n");
        Set<String> wanted = words(lastUser.substring(gold, Math.max(gold, answer)));
        Set<String> given = words(lastUser.substring(answer + ANSWER_MARKER.length() + 2));
        long covered = wanted.stream().filter(given::contains).count();
        double score = wanted.isEmpty() ? 0 : Math.round(100.0 * covered / wanted.size()) / 100.0;
        return String.format(Locale.ROOT, "{\"score\": %.2f, \"reason\": \"covers %d of the gold answer's %d words (simulated grade)\"}",
                score, covered, wanted.size());
    }

    private static Set<String> words(String text) {
        Set<String> out = new LinkedHashSet<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) out.add(w);
        }
        return out;
    }
}
