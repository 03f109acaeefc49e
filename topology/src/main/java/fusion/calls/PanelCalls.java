package fusion.calls;

import fusion.intake.Cancellations;
import fusion.model.ChatClient;
import fusion.model.ChatOutcome;
import fusion.model.FailureKind;
import fusion.model.ChatRequest;
import fusion.schema.PanelResponse;
import fusion.schema.PanelTask;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The hot path: one model call per PanelTask, exactly one PanelResponse per task, success or
 * typed failure. Calls run asynchronously through {@link PendingCalls}.
 */
public final class PanelCalls implements Processor<String, PanelTask, String, PanelResponse> {
    public static final String STORE = "pending-panel-calls";
    public static final String STAGE = "panel";

    private final ChatClient client;
    private final CallCapacity capacity;
    private final CallSettings settings;
    private ProcessorContext<String, PanelResponse> context;
    private PendingCalls<PanelTask> pending;
    private Cancellations cancellations;

    public PanelCalls(ChatClient client, CallCapacity capacity, CallSettings settings) {
        this.client = client;
        this.capacity = capacity;
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, PanelResponse> context) {
        this.context = context;
        cancellations = Cancellations.of(context);
        pending = PendingCalls.attach(context, STORE, STAGE, PanelCalls::chatRequest, this::cancelled, client, capacity, settings,
                this::forward);
    }

    @Override
    public void process(Record<String, PanelTask> record) {
        PanelTask task = record.value();
        if (task == null) return;
        pending.forwardCompleted(this::forward);
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
                .withTemperature(request.getTemperature());
        return CallOutcomes.withRequestLimits(call, request);
    }

    private void forward(PendingCalls.Completed<PanelTask> done) {
        PanelTask task = done.pending();
        long now = context.currentSystemTimeMs();
        PanelResponse response = PanelResponse.newBuilder()
                .setRequestId(task.getRequestId())
                .setModel(task.getModel())
                .setIndex(task.getIndex())
                .setPanelSize(task.getPanelSize())
                .setRequest(task.getRequest())
                .setOutcome(CallOutcomes.toRecord(done.outcome(), now))
                .build();
        context.forward(new Record<>(task.getRequestId(), response, now));
    }
}
