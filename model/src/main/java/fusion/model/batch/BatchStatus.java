package fusion.model.batch;

import java.util.Locale;

/** Where a provider batch is, in the status names OpenRouter and OpenAI share (Anthropic's are mapped onto them). */
public enum BatchStatus {
    VALIDATING, IN_PROGRESS, FINALIZING, COMPLETED, FAILED, EXPIRED, CANCELLING, CANCELLED,
    /** A status this code does not know yet: treated as still running, so a new provider status never ends a batch early. */
    UNKNOWN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the batch will not change any more: its results (if any) can be fetched. */
    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == EXPIRED || this == CANCELLED;
    }

    /**
     * Whether the provider may have answered some of its lines: a completed batch, and also an expired or
     * cancelled one, whose lines finished before the end are still delivered (OpenAI and OpenRouter both do this).
     */
    public boolean mayHaveResults() {
        return this == COMPLETED || this == EXPIRED || this == CANCELLED;
    }

    public static BatchStatus fromWireName(String name) {
        if (name == null) return UNKNOWN;
        // OpenAI spells it "cancelled"; some gateways write "canceled"
        String n = name.strip().toLowerCase(Locale.ROOT).replace("canceled", "cancelled").replace("canceling", "cancelling");
        for (BatchStatus s : values()) {
            if (s.wireName().equals(n)) return s;
        }
        return UNKNOWN;
    }
}
