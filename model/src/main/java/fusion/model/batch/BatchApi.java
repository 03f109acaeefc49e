package fusion.model.batch;

import java.util.List;
import java.util.Optional;

/**
 * A provider's batch API, the same for each provider: submit the calls for one model and endpoint, poll, fetch the
 * results by custom_id, cancel. The methods block (an HTTP exchange, with retries of transient failures), so callers
 * run them off a stream thread. Each throws {@link BatchException} when the endpoint could not be used: a
 * retryable one is never an answer about the batch, only a reason to try again later.
 */
public interface BatchApi {
    /** Provider name in logs and errors, e.g. {@code openrouter}. */
    String provider();

    /** How much one batch may hold; {@link #submit} refuses more. */
    BatchLimits limits();

    /** How often to poll a batch of this provider. */
    PollSchedule pollSchedule();

    /**
     * Submits one batch, every line for {@code model}. Web tools are dropped from the lines (no provider runs them
     * inside a batch). Not retried once the provider may have accepted it, so a batch is never submitted twice by us.
     *
     * @throws IllegalArgumentException when the lines break the limits, mix models or repeat a custom_id
     */
    SubmittedBatch submit(String model, List<BatchLine> lines) throws BatchException;

    /**
     * As {@link #submit(String, List)}, with {@code label} sent along where the provider keeps a batch's metadata, so
     * {@link #find} can recognise the batch later. A provider without metadata ignores the label.
     */
    default SubmittedBatch submit(String model, List<BatchLine> lines, String label) throws BatchException {
        return submit(model, lines);
    }

    /**
     * The batch submitted earlier under {@code label}, if the provider can list batches with their metadata: lets a
     * caller that crashed after submitting and before recording the batch id adopt that batch instead of submitting
     * it twice. Empty when no such batch is listed, or when this provider cannot list.
     */
    default Optional<SubmittedBatch> find(String model, String label, List<String> customIds) throws BatchException {
        return Optional.empty();
    }

    BatchProgress poll(String batchId) throws BatchException;

    /**
     * The lines of a finished batch ({@link BatchStatus#mayHaveResults()}), each matched to its custom_id, and
     * which of the submitted lines have none (all of them, for a failed batch).
     */
    BatchResults results(SubmittedBatch batch) throws BatchException;

    /**
     * Asks the provider to cancel; false when this provider cannot cancel a running batch (OpenRouter documents
     * no cancel endpoint), so the caller only stops submitting new ones.
     */
    boolean cancel(String batchId) throws BatchException;
}
