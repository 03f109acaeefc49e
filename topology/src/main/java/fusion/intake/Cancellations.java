package fusion.intake;

import fusion.schema.FusionRequest;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Batches an operator cancelled ({@code fusion cancel}), kept in a global store fed by the control
 * topic, so every instance and task sees every cancellation.
 */
public final class Cancellations {
    public static final String STORE = "cancelled-batches";
    public static final String CANCEL_PREFIX = "cancel/";
    /** The metadata key of a request's batch id ({@code fusion submit --batch-id}). */
    public static final String BATCH_ID = "batch_id";

    private final ReadOnlyKeyValueStore<String, String> store;

    public Cancellations(ReadOnlyKeyValueStore<String, String> store) {
        this.store = store;
    }

    public static Cancellations of(ProcessorContext<?, ?> context) {
        return new Cancellations(context.getStateStore(STORE));
    }

    /** The batch id of a cancelled request, or null when it may run. */
    public String cancelledBatch(FusionRequest request) {
        String batch = request.getMetadata().get(BATCH_ID);
        return batch != null && store.get(CANCEL_PREFIX + batch) != null ? batch : null;
    }
}
