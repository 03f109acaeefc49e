package fusion.synthesis;

import fusion.calls.CallOutcomes;
import fusion.calls.CallStage;
import fusion.fanout.OpenRequests;
import fusion.judge.ModelAnswer;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.schema.CallOutcome;
import fusion.schema.FusionResult;
import fusion.schema.ModelResponse;
import fusion.schema.SynthesisTask;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The synthesis plan: when a request names a final_model, that outer model writes {@code final_answer}
 * from the analysis and the responses, as the openrouter/fusion alias does. If it fails, the result
 * stays ok without a final answer and says why in {@code synthesis_failure}.
 */
public final class SynthesisStage implements CallStage.Plan<SynthesisTask> {
    public static final String STORE = "pending-synthesis-calls";
    public static final String STAGE = "synthesis";

    private ProcessorContext<String, Object> context;
    private OpenRequests open;

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.open = OpenRequests.of(context);
    }

    @Override
    public String admit(Record<String, SynthesisTask> record) {
        return OpenRequests.key(record.key(), record.value().getResult().getAttempt());
    }

    @Override
    public ChatRequest request(SynthesisTask task) {
        FusionResult result = task.getResult();
        List<ModelAnswer> answers = result.getResponses().stream()
                .map((ModelResponse r) -> new ModelAnswer(r.getModel(), r.getContent()))
                .toList();
        // 0.1.0's tasks carry their request; later ones are looked up
        var request = open.get(result.getRequestId(), result.getAttempt(), task.getRequest());
        var messages = SynthesisPrompt.build(request, result.getAnalysis(), answers);
        ChatRequest call = ChatRequest.of(request.getFinalModel(), messages);
        return CallOutcomes.withRequestLimits(call, request);
    }

    @Override
    public void completed(SynthesisTask task, ChatOutcome outcome) {
        long now = context.currentSystemTimeMs();
        FusionResult result = task.getResult();
        CallOutcome call = CallOutcomes.toRecord(outcome, now);
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
