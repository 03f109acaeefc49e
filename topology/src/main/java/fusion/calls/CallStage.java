package fusion.calls;

import fusion.model.ChatClient;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The one asynchronous call stage. Panel, judge and synthesis each configure it with a {@link Plan}:
 * what to call for a record and what to make of the answer. The stage does the rest, the same way
 * for all three, through {@link PendingCalls}: store first, then call; completions forwarded by a
 * wall-clock punctuator in the same transaction as their deletion; calls left pending by an earlier
 * owner issued again; a bounded wait for capacity; a deadline counted from when a call was sent.
 */
public final class CallStage<V> implements Processor<String, V, String, Object> {
    /** What one stage calls and what it makes of the answers. */
    public interface Plan<V> {
        /** Called once, with the stage's context: look up other stores and keep the context to forward with. */
        void init(ProcessorContext<String, Object> context);

        /**
         * The pending-store key of the record's call, or null when the plan has answered the record
         * at once itself (a reused answer, a panel that left nothing to judge).
         */
        String admit(Record<String, V> record);

        ChatRequest request(V pending);

        /**
         * Asked just before a call goes out, however long it waited behind the limits: an outcome for a
         * call that must not be sent any more (its batch was cancelled), or null to send it.
         */
        default ChatOutcome notSent(V pending) {
            return null;
        }

        /** A call's outcome, success or typed failure: exactly once per admitted call. */
        void completed(V pending, ChatOutcome outcome);
    }

    private final String store;
    private final String stage;
    private final Plan<V> plan;
    private final ChatClient client;
    private final CallCapacity capacity;
    private final CallSettings settings;
    private PendingCalls<V> pending;

    /**
     * @param store the store of the stage's pending calls; part of the app's state, so its name never changes
     * @param stage panel, judge or synthesis: for logs
     */
    public CallStage(String store, String stage, Plan<V> plan, ChatClient client, CallCapacity capacity, CallSettings settings) {
        this.store = store;
        this.stage = stage;
        this.plan = plan;
        this.client = client;
        this.capacity = capacity;
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        plan.init(context);
        pending = PendingCalls.attach(context, store, stage, plan::request, plan::notSent, client, capacity, settings,
                this::completed);
    }

    @Override
    public void process(Record<String, V> record) {
        if (record.value() == null) return;
        pending.forwardCompleted(this::completed);
        String key = plan.admit(record);
        if (key != null) pending.start(key, record.value(), this::completed);
    }

    private void completed(PendingCalls.Completed<V> done) {
        plan.completed(done.pending(), done.outcome());
    }

    @Override
    public void close() {
        if (pending != null) pending.close();
    }
}
