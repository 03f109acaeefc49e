package fusion.soak;

import java.time.Duration;

/**
 * How long and how hard the soak runs. Short (the default, in every {@code mvn verify}): one round of each
 * scenario, sized for CI. Long ({@code -Dsoak.minutes=N}, see the {@code soak} profile): each scenario repeats
 * rounds for its share of N minutes. {@code soak.kills}, {@code soak.rows} and {@code soak.seed} size either mode.
 */
record SoakPlan(boolean longMode, Duration perScenario, Integer kills, Integer rows, long seed) {
    /** Rounds a scenario may run in any mode: the time share ends long mode, this ends a misconfigured one. */
    static final int MAX_ROUNDS = 10_000;
    static final int SCENARIOS = 5;

    static SoakPlan fromSystemProperties() {
        String minutes = System.getProperty("soak.minutes", "").strip();
        boolean longMode = !minutes.isEmpty();
        Duration total = longMode ? Duration.ofSeconds(Math.round(Double.parseDouble(minutes) * 60)) : Duration.ZERO;
        String seed = System.getProperty("soak.seed", "").strip();
        return new SoakPlan(longMode, total.dividedBy(SCENARIOS), integer("soak.kills"), integer("soak.rows"),
                seed.isEmpty() ? System.nanoTime() : Long.parseLong(seed));
    }

    /** Whether a scenario that began at {@code startedNanos} and has run {@code done} rounds runs another. */
    boolean anotherRound(int done, long startedNanos) {
        if (done == 0) return true;
        if (!longMode || done >= MAX_ROUNDS) return false;
        return System.nanoTime() - startedNanos < perScenario.toNanos();
    }

    int killsOr(int shortDefault) {
        return kills != null ? kills : shortDefault;
    }

    int rowsOr(int shortDefault) {
        return rows != null ? rows : shortDefault;
    }

    private static Integer integer(String property) {
        String v = System.getProperty(property, "").strip();
        return v.isEmpty() ? null : Integer.valueOf(v);
    }

    String describe() {
        return (longMode ? "long soak, " + perScenario.toSeconds() + " s per scenario" : "short soak, one round per scenario")
                + "; seed " + seed + " (rerun with -Dsoak.seed=" + seed + ")";
    }
}
