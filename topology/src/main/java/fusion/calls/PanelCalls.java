package fusion.calls;

import fusion.intake.Cancellations;
import fusion.model.ChatClient;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.FailureKind;
import fusion.schema.CallOutcome;
import fusion.schema.PanelResponse;
import fusion.schema.PanelTask;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The hot path: one model call per PanelTask, exactly one PanelResponse per task, success or
 * typed failure. Calls run asynchronously through {@link PendingCalls}. A task whose identical call
 * (same {@link CallFingerprint}) was answered before gets that answer at once, marked reused, and
 * costs nothing.
 */
public final class PanelCalls implements Processor<String, PanelTask, String, Object> {
    public static final String STORE = "pending-panel-calls";
    /** Answered calls by fingerprint: a global store, fed by the completed-calls topic. */
    public static final String COMPLETED_STORE = "completed-panel-calls";
    public static final String STAGE = "panel";

    /** Where responses go, and where answered calls are recorded for reuse. */
    public record Routes(String join, String responses, String completed) {}

    private final ChatClient client;
    private final CallCapacity capacity;
    private final CallSettings settings;
    private final Routes routes;
    private ProcessorContext<String, Object> context;
    private PendingCalls<PanelTask> pending;
    private Cancellations cancellations;
    private ReadOnlyKeyValueStore<String, CallOutcome> completed;

    public PanelCalls(ChatClient client, CallCapacity capacity, CallSettings settings, Routes routes) {
        this.client = client;
        this.capacity = capacity;
        this.settings = settings;
        this.routes = routes;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        cancellations = Cancellations.of(context);
        if (settings.reuseAnswers()) completed = context.getStateStore(COMPLETED_STORE);
        pending = PendingCalls.attach(context, STORE, STAGE, PanelCalls::chatRequest, this::cancelled, client, capacity, settings,
                this::forward);
    }

    @Override
    public void process(Record<String, PanelTask> record) {
        PanelTask task = record.value();
        if (task == null) return;
        pending.forwardCompleted(this::forward);
        CallOutcome earlier = completed == null ? null : completed.get(CallFingerprint.of(task));
        if (earlier != null) {
            CallOutcome reused = CallOutcome.newBuilder(earlier).setReused(true).setCompletedAt(context.currentSystemTimeMs()).build();
            respond(task, reused);
            return;
        }
        pending.start(callKey(task), task, this::forward);
    }

    /**
     * Asked just before the call goes out, also after it waited behind the in-flight limits: a call of
     * a cancelled batch is not sent, so not paid for; the join turns a panel of these into a cancelled result.
     */
    private ChatOutcome cancelled(PanelTask task) {
        String batch = cancellations.cancelledBatch(task.getRequest());
        return batch == null ? null
                : ChatOutcome.failed(task.getModel(), FailureKind.CANCELLED, null, "not sent: batch '" + batch + "' was cancelled", 0);
    }

    @Override
    public void close() {
        if (pending != null) pending.close();
    }

    static String callKey(PanelTask task) {
        return task.getRequestId() + "#" + task.getIndex();
    }

    static ChatRequest chatRequest(PanelTask task) {
        var request = task.getRequest();
        ChatRequest call = ChatRequest.of(task.getModel(), CallOutcomes.chatMessages(request))
                .withTemperature(request.getTemperature())
                .withServerTools(request.getTools());
        return CallOutcomes.withRequestLimits(call, request);
    }

    private void forward(PendingCalls.Completed<PanelTask> done) {
        CallOutcome outcome = CallOutcomes.toRecord(done.outcome(), context.currentSystemTimeMs());
        if (completed != null && CallOutcomes.succeeded(outcome)) {
            // Recorded in the same transaction as the response: an answer is reusable once it counts.
            context.forward(new Record<>(CallFingerprint.of(done.pending()), (Object) outcome, outcome.getCompletedAt()), routes.completed());
        }
        respond(done.pending(), outcome);
    }

    private void respond(PanelTask task, CallOutcome outcome) {
        long now = context.currentSystemTimeMs();
        PanelResponse response = PanelResponse.newBuilder()
                .setRequestId(task.getRequestId())
                .setModel(task.getModel())
                .setIndex(task.getIndex())
                .setPanelSize(task.getPanelSize())
                .setRequest(task.getRequest())
                .setOutcome(outcome)
                .build();
        Record<String, Object> out = new Record<>(task.getRequestId(), response, now);
        context.forward(out, routes.join());
        context.forward(out, routes.responses());
    }
}
