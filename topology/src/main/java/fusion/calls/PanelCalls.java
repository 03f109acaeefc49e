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
    private fusion.join.QuorumClosed quorum;
    /**
     * Requests of the calls this instance admitted and has not completed, decoded once: each panel call reads
     * its request four times (fingerprint, batch, call, fingerprint again), and the open-requests store
     * decodes Avro on every read. An entry goes with the last completion of its calls admitted here.
     */
    private final java.util.Map<String, Admitted> admitted = new java.util.HashMap<>();

    private static final class Admitted {
        final FusionRequest request;
        int calls;

        Admitted(FusionRequest request) {
            this.request = request;
        }
    }

    public PanelCalls(CallSettings settings, Routes routes) {
        this.settings = settings;
        this.routes = routes;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        cancellations = Cancellations.of(context);
        open = OpenRequests.of(context);
        quorum = new fusion.join.QuorumClosed(context);
        if (settings.reuseAnswers()) completed = context.getStateStore(COMPLETED_STORE);
    }

    @Override
    public String admit(Record<String, PanelTask> record) {
        PanelTask task = record.value();
        if (task.getRequest() == null) {
            admitted.computeIfAbsent(OpenRequests.key(task.getRequestId(), task.getAttempt()),
                    k -> new Admitted(open.get(task.getRequestId(), task.getAttempt(), null))).calls++;
        }
        CallOutcome supplied = SuppliedAnswers.of(requestOf(task), task.getModel(), context.currentSystemTimeMs());
        if (supplied != null) {
            respond(task, supplied);
            done(task);
            return null;
        }
        CallOutcome earlier = completed == null ? null : ReusedAnswers.fresh(completed.get(CallFingerprint.of(task, requestOf(task))),
                settings.reuseRetention(), context.currentSystemTimeMs());
        if (earlier != null) {
            respond(task, CallOutcome.newBuilder(earlier).setReused(true).setCompletedAt(context.currentSystemTimeMs()).build());
            done(task);
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
        FusionRequest request = requestOf(task);
        if (request == null) {
            // a quorum's laggard, issued again after a restart when its request has its result already: nothing waits for it
            return ChatOutcome.failed(task.getModel(), FailureKind.QUORUM_TIMEOUT, null, "not sent: its request went on at its quorum and has its result", 0);
        }
        String batch = cancellations.cancelledBatch(request);
        if (batch != null) {
            return ChatOutcome.failed(task.getModel(), FailureKind.CANCELLED, null, "not sent: batch '" + batch + "' was cancelled", 0);
        }
        if (request.getQuorum() != null && quorum.wentOn(task)) {
            return ChatOutcome.failed(task.getModel(), FailureKind.QUORUM_TIMEOUT, null,
                    "not sent: the request went on at its quorum while this call waited for its model's limits", 0);
        }
        return null;
    }

    /** One key per request, try and panel seat: a rerun's second try never meets the first one's calls. */
    static String callKey(PanelTask task) {
        return OpenRequests.key(task.getRequestId(), task.getAttempt()) + "#" + task.getIndex();
    }

    @Override
    public ChatRequest request(PanelTask task) {
        var request = requestOf(task);
        if (request == null) return ChatRequest.of(task.getModel(), java.util.List.of()); // never sent: see notSent
        ChatRequest call = ChatRequest.of(task.getModel(), CallOutcomes.chatMessages(request))
                .withTemperature(request.getTemperature())
                .withTools(request.getTools(), request.getMaxToolCalls());
        return CallOutcomes.withRequestLimits(call, request);
    }

    @Override
    public void completed(PanelTask task, ChatOutcome outcome) {
        CallOutcome record = CallOutcomes.toRecord(outcome, context.currentSystemTimeMs());
        if (completed != null && CallOutcomes.succeeded(record) && requestOf(task) != null) {
            // Recorded in the same transaction as the response: an answer is reusable once it counts.
            context.forward(new Record<>(CallFingerprint.of(task, requestOf(task)), (Object) record, record.getCompletedAt()), routes.completed());
        }
        respond(task, record);
        done(task);
    }

    /** One call of the task's request is over; the last one admitted here lets the decoded request go. */
    private void done(PanelTask task) {
        String key = OpenRequests.key(task.getRequestId(), task.getAttempt());
        Admitted a = admitted.get(key);
        if (a != null && --a.calls <= 0) admitted.remove(key);
    }

    private FusionRequest requestOf(PanelTask task) {
        if (task.getRequest() != null) return task.getRequest(); // 0.1.0's tasks carry it
        Admitted a = admitted.get(OpenRequests.key(task.getRequestId(), task.getAttempt()));
        return a != null ? a.request : open.find(task.getRequestId(), task.getAttempt());
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
