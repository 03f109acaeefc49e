package fusion.synthesis;

import fusion.calls.CallCapacity;
import fusion.calls.CallOutcomes;
import fusion.calls.CallSettings;
import fusion.calls.PendingCalls;
import fusion.judge.ModelAnswer;
import fusion.model.ChatClient;
import fusion.model.ChatRequest;
import fusion.schema.CallOutcome;
import fusion.schema.FusionResult;
import fusion.schema.ModelResponse;
import fusion.schema.SynthesisTask;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * When a request names a final_model, that outer model writes {@code final_answer} from the
 * analysis and the responses, as the openrouter/fusion alias does. If it fails, the result stays
 * ok without a final answer and says why in {@code synthesis_failure}.
 */
public final class SynthesisStage implements Processor<String, SynthesisTask, String, FusionResult> {
    public static final String STORE = "pending-synthesis-calls";
    public static final String STAGE = "synthesis";

    private final ChatClient client;
    private final CallCapacity capacity;
    private final CallSettings settings;
    private ProcessorContext<String, FusionResult> context;
    private PendingCalls<SynthesisTask> pending;

    public SynthesisStage(ChatClient client, CallCapacity capacity, CallSettings settings) {
        this.client = client;
        this.capacity = capacity;
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, FusionResult> context) {
        this.context = context;
        pending = PendingCalls.attach(context, STORE, STAGE, SynthesisStage::chatRequest, client, capacity, settings, this::forward);
    }

    @Override
    public void process(Record<String, SynthesisTask> record) {
        pending.forwardCompleted(this::forward);
        pending.start(record.key(), record.value(), this::forward);
    }

    @Override
    public void close() {
        if (pending != null) pending.close();
    }

    static ChatRequest chatRequest(SynthesisTask task) {
        FusionResult result = task.getResult();
        List<ModelAnswer> answers = result.getResponses().stream()
                .map((ModelResponse r) -> new ModelAnswer(r.getModel(), r.getContent()))
                .toList();
        var messages = SynthesisPrompt.build(task.getRequest(), result.getAnalysis(), answers);
        ChatRequest call = ChatRequest.of(task.getRequest().getFinalModel(), messages);
        return CallOutcomes.withRequestLimits(call, task.getRequest());
    }

    private void forward(PendingCalls.Completed<SynthesisTask> done) {
        long now = context.currentSystemTimeMs();
        FusionResult result = done.pending().getResult();
        CallOutcome call = CallOutcomes.toRecord(done.outcome(), now);
        result.getCalls().add(CallOutcomes.ledgerEntry(STAGE, call));
        result.setSynthesisMs(call.getLatencyMs());
        if (CallOutcomes.succeeded(call)) {
            result.setFinalAnswer(call.getContent());
        } else {
            result.setSynthesisFailure(CallOutcomes.failure(call));
        }
        result.setCompletedAt(now);
        context.forward(new Record<>(result.getRequestId(), result, now));
    }
}
