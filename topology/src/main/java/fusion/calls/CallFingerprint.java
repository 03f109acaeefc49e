package fusion.calls;

import fusion.schema.FusionRequest;
import fusion.schema.Message;
import fusion.schema.PanelTask;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What makes two panel calls the same call: model, messages and every parameter that reaches the
 * model. Two calls with one fingerprint may share one answer, so a call already answered is not
 * paid for again.
 */
public final class CallFingerprint {
    private CallFingerprint() {}

    public static String of(PanelTask task, FusionRequest r) {
        MessageDigest sha = sha256();
        field(sha, task.getModel());
        for (Message m : r.getMessages()) {
            field(sha, m.getRole());
            field(sha, m.getContent());
        }
        field(sha, "|temperature=" + r.getTemperature());
        field(sha, "|max_completion_tokens=" + r.getMaxCompletionTokens());
        field(sha, r.getReasoning() == null ? "|reasoning=" : "|reasoning=" + r.getReasoning().getEffort() + "/" + r.getReasoning().getMaxTokens());
        // tools are resolved at intake (the run's default for a request that named none), so an answer given with
        // web tools is never reused for a call without them, nor the other way round
        field(sha, "|tools=" + (r.getTools() == null ? "" : String.join(",", r.getTools())) + "/" + r.getMaxToolCalls());
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Length-prefixed, so no two different field lists hash the same text. */
    private static void field(MessageDigest sha, String value) {
        byte[] bytes = String.valueOf(value).getBytes(StandardCharsets.UTF_8);
        sha.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
        sha.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
