package fusion.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.intake.Cancellations;
import fusion.intake.RequestDecoder;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import fusion.topology.Topics;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Where a batch stands, as the batch APIs' {@code request_counts}: requests submitted, results ok,
 * ok without analysis (degraded), error, and those still in flight. Read from the topics themselves
 * (requests, then committed results), so it needs no state of its own.
 */
public final class BatchStatus {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Counts(String batchId, int submitted, int ok, int degraded, int errors, boolean cancelled) {
        public int done() {
            return ok + degraded + errors;
        }

        public int inFlight() {
            return Math.max(0, submitted - done());
        }

        public ObjectNode toJson() {
            ObjectNode n = JSON.createObjectNode();
            if (batchId != null) n.put("batch_id", batchId);
            n.put("status", cancelled ? "cancelled" : inFlight() == 0 && submitted > 0 ? "completed" : "in_progress");
            ObjectNode counts = n.putObject("request_counts");
            counts.put("total", submitted).put("completed", ok + degraded).put("failed", errors);
            n.put("submitted", submitted).put("ok", ok).put("degraded", degraded).put("error", errors).put("in_flight", inFlight());
            return n;
        }
    }

    private final Map<String, Object> clientConfig;
    private final Topics topics;

    public BatchStatus(Map<String, Object> clientConfig, Topics topics) {
        this.clientConfig = clientConfig;
        this.topics = topics;
    }

    /** @param batchId a batch, or null for every request */
    public Counts of(String batchId) {
        Set<String> submitted = new HashSet<>();
        RequestDecoder decoder = new RequestDecoder(fusion.intake.FusionDefaults.standard(), topics.requestValues());
        TopicSnapshot.read(clientConfig, topics.requests().asBytes(), (key, value) -> {
            String batch = batchOf(decoder, key, value);
            if (batchId == null || batchId.equals(batch)) submitted.add(key);
        });
        Map<String, FusionResult> results = new HashMap<>();
        TopicSnapshot.read(clientConfig, topics.results(), (key, value) -> {
            if (value != null && submitted.contains(key)) results.put(key, value);
        });
        boolean[] cancelled = {false};
        if (batchId != null) {
            TopicSnapshot.read(clientConfig, topics.control(), (key, value) -> {
                if ((Cancellations.CANCEL_PREFIX + batchId).equals(key)) cancelled[0] = value != null;
            });
        }
        int ok = 0;
        int degraded = 0;
        int errors = 0;
        for (FusionResult r : results.values()) {
            if (r.getStatus() == ResultStatus.error) errors++;
            else if (r.getAnalysis() == null) degraded++;
            else ok++;
        }
        return new Counts(batchId, submitted.size(), ok, degraded, errors, cancelled[0]);
    }

    private static String batchOf(RequestDecoder decoder, String key, byte[] value) {
        if (value == null) return null;
        RequestDecoder.Decoded d = decoder.decode(key, value);
        if (d instanceof RequestDecoder.Readable r) return r.request().getMetadata().get(DatasetRows.BATCH_ID);
        try {
            JsonNode node = JSON.readTree(value);
            return node.path("metadata").path(DatasetRows.BATCH_ID).asText(null);
        } catch (Exception e) {
            return null;
        }
    }
}
