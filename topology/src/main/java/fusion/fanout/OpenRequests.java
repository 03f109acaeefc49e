package fusion.fanout;

import fusion.schema.FusionRequest;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Each open request, held once: written at fan-out, read by the panel calls, the judge and the
 * synthesis, deleted when its result goes out. Tasks, responses and the join's state carry only ids,
 * indexes and outcomes, so a large request is not copied once per panel model and per stage.
 * Records of releases up to 0.1.0 still carry their request, and it is used as given.
 */
public final class OpenRequests {
    public static final String STORE = "open-requests";

    private final KeyValueStore<String, FusionRequest> store;

    private OpenRequests(KeyValueStore<String, FusionRequest> store) {
        this.store = store;
    }

    public static OpenRequests of(ProcessorContext<?, ?> context) {
        return new OpenRequests(context.getStateStore(STORE));
    }

    /** One try of a request: a rerun's next try never meets the last one's state. */
    public static String key(String requestId, int attempt) {
        return attempt > 1 ? requestId + "#a" + attempt : requestId;
    }

    public void open(FusionRequest request) {
        store.put(key(request.getRequestId(), request.getAttempt()), request);
    }

    /**
     * The request of a record: the one it carries (written by 0.1.0), else the open one.
     *
     * @throws IllegalStateException when neither exists, which exactly-once state rules out
     */
    public FusionRequest get(String requestId, int attempt, FusionRequest carried) {
        if (carried != null) return carried;
        FusionRequest open = store.get(key(requestId, attempt));
        if (open == null) throw new IllegalStateException("request " + requestId + " (try " + attempt + ") is not open");
        return open;
    }

    /** The open request, or null once its result closed it: a quorum's laggard outlives its request. */
    public FusionRequest find(String requestId, int attempt) {
        return store.get(key(requestId, attempt));
    }

    public void close(String requestId, int attempt) {
        store.delete(key(requestId, attempt));
    }
}
