package fusion.cli;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** The known name nearest to a mistyped one ({@code rn} → {@code run}), for "did you mean" hints. */
final class Closest {
    private Closest() {}

    /** The nearest of {@code known} at most {@code edits} edits away, if any. */
    static Optional<String> to(String given, Collection<String> known, int edits) {
        return known.stream()
                .filter(k -> !k.equals(given) && distance(given, k) <= edits)
                .min(Comparator.comparingInt((String k) -> distance(given, k)).thenComparing(Comparator.naturalOrder()));
    }

    /** Levenshtein distance, a transposition counted as one edit ("sbumit" is one from "submit"). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
