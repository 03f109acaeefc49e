package fusion.calls;

import fusion.fanout.OpenRequests;
import fusion.intake.Cancellations;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.FailureKind;
import fusion.schema.CallOutcome;
import fusion.schema.FusionRequest;
import fusion.schema.PanelResponse;
import fusion.schema.PanelTask;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The hot path's plan: one model call per PanelTask, exactly one PanelResponse per task, success or
 * typed failure. A task whose identical call (same {@link CallFingerprint}) was answered before gets
 * that answer at once, marked reused, and costs nothing.
 */
public final class PanelCalls implements CallStage.Plan<PanelTask> {
    public static final String STORE = "pending-panel-calls";
    /** Answered calls by fingerprint: a global store, fed by the completed-calls topic. */
    public static final String COMPLETED_STORE = "completed-panel-calls";
    public static final String STAGE = "panel";

    /** Where responses go (the audit topic's sink, or null when fusion.audit-topics is off), and where answered calls are recorded for reuse. */
    public record Routes(String join, String responses, String completed) {}

    private final CallSettings settings;
    private final Routes routes;
    private ProcessorContext<String, Object> context;
    private Cancellations cancellations;
    private ReadOnlyKeyValueStore<String, CallOutcome> completed;
    private OpenRequests open;

    public PanelCalls(CallSettings settings, Routes routes) {
        this.settings = settings;
        this.routes = routes;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        cancellations = Cancellations.of(context);
        open = OpenRequests.of(context);
        if (settings.reuseAnswers()) completed = context.getStateStore(COMPLETED_STORE);
    }

    @Override
    public String admit(Record<String, PanelTask> record) {
        PanelTask task = record.value();
        CallOutcome earlier = completed == null ? null : ReusedAnswers.fresh(completed.get(CallFingerprint.of(task, requestOf(task))),
                settings.reuseRetention(), context.currentSystemTimeMs());
        if (earlier != null) {
            respond(task, CallOutcome.newBuilder(earlier).setReused(true).setCompletedAt(context.currentSystemTimeMs()).build());
            return null;
        }
        return callKey(task);
    }

    /**
     * A call of a cancelled batch is not sent, so not paid for; the join turns a panel of these into a
     * cancelled result.
     */
    @Override
    public ChatOutcome notSent(PanelTask task) {
        String batch = cancellations.cancelledBatch(requestOf(task));
        return batch == null ? null
                : ChatOutcome.failed(task.getModel(), FailureKind.CANCELLED, null, "not sent: batch '" + batch + "' was cancelled", 0);
    }

    /** One key per request, try and panel seat: a rerun's second try never meets the first one's calls. */
    static String callKey(PanelTask task) {
        return OpenRequests.key(task.getRequestId(), task.getAttempt()) + "#" + task.getIndex();
    }

    @Override
    public ChatRequest request(PanelTask task) {
        var request = requestOf(task);
        ChatRequest call = ChatRequest.of(task.getModel(), CallOutcomes.chatMessages(request))
                .withTemperature(request.getTemperature())
                .withServerTools(request.getTools());
        return CallOutcomes.withRequestLimits(call, request);
    }

    @Override
    public void completed(PanelTask task, ChatOutcome outcome) {
        CallOutcome record = CallOutcomes.toRecord(outcome, context.currentSystemTimeMs());
        if (completed != null && CallOutcomes.succeeded(record)) {
            // Recorded in the same transaction as the response: an answer is reusable once it counts.
            context.forward(new Record<>(CallFingerprint.of(task, requestOf(task)), (Object) record, record.getCompletedAt()), routes.completed());
        }
        respond(task, record);
    }

    private FusionRequest requestOf(PanelTask task) {
        return open.get(task.getRequestId(), task.getAttempt(), task.getRequest());
    }

    private void respond(PanelTask task, CallOutcome outcome) {
        long now = context.currentSystemTimeMs();
        PanelResponse response = PanelResponse.newBuilder()
                .setRequestId(task.getRequestId())
                .setModel(task.getModel())
                .setIndex(task.getIndex())
                .setPanelSize(task.getPanelSize())
                .setAttempt(task.getAttempt())
                // a 0.1.0 task carries its request, which was never opened here: pass it on; null for later ones
                .setRequest(task.getRequest())
                .setOutcome(outcome)
                .build();
        Record<String, Object> out = new Record<>(task.getRequestId(), response, now);
        context.forward(out, routes.join());
        if (routes.responses() != null) context.forward(out, routes.responses());
    }
}
