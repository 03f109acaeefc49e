package fusion.model.batch;

import java.util.List;
import java.util.Objects;

/**
 * A batch the provider accepted: what a caller keeps (in changelogged state) to poll it and match its results
 * after a restart, without submitting it again.
 *
 * @param customIds the lines submitted, in order
 */
public record SubmittedBatch(String provider, String batchId, String model, List<String> customIds) {
    public SubmittedBatch {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(batchId, "batchId");
        Objects.requireNonNull(model, "model");
        customIds = List.copyOf(customIds);
    }
}
