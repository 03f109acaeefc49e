package fusion.intake;

/**
 * What a request that names no quorum gets. With no default quorum a request waits for every panel model, as the
 * spec's Fusion does; with one, it goes on once that many panel models have answered and the grace has passed.
 *
 * @param quorum  {@value #QUORUM_SETTING}: the quorum of requests that give none (at most their panel size), or
 *                null for every panel model
 * @param graceMs {@value #GRACE_SETTING}: how long the join still waits for the rest once a quorum is in, for
 *                requests that give no {@code quorum_grace_ms}
 */
public record QuorumDefaults(Integer quorum, long graceMs) {
    public static final String QUORUM_SETTING = "fusion.quorum.default";
    public static final String GRACE_SETTING = "fusion.quorum.grace-ms";
    public static final long GRACE_MS = 5_000;

    public QuorumDefaults {
        if (quorum != null && (quorum < 1 || quorum > RequestValidator.MAX_PANEL)) {
            throw new IllegalArgumentException(QUORUM_SETTING + " is " + quorum + "; it must be between 1 and " + RequestValidator.MAX_PANEL
                    + " (larger panels' requests are capped at their size), or left out to wait for every panel model");
        }
        if (graceMs < 0) throw new IllegalArgumentException(GRACE_SETTING + " is " + graceMs + "; it must be 0 or more milliseconds");
    }

    /** Every panel model, unless a request asks for a quorum; then {@value #GRACE_MS} ms of grace. */
    public static QuorumDefaults none() {
        return new QuorumDefaults(null, GRACE_MS);
    }
}
