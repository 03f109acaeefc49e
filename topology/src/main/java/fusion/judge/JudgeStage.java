package fusion.judge;

import fusion.calls.CallOutcomes;
import fusion.calls.CallStage;
import fusion.fanout.OpenRequests;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.FailureKind;
import fusion.results.FusionResults;
import fusion.schema.CallOutcome;
import fusion.schema.Deliberation;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.schema.PanelAnswer;
import fusion.schema.ResultStatus;
import fusion.schema.SynthesisTask;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The judge's plan: compare the panel's answers. The judge sees them anonymised and runs at
 * temperature 0; its JSON is parsed and mapped back to model names. A failed judge still gives an
 * ok result with the responses, no analysis, and {@code judge_failure} saying why. When every
 * panel model failed there is nothing to judge: the result is the panel's error.
 */
public final class JudgeStage implements CallStage.Plan<Deliberation> {
    private static final Logger log = LoggerFactory.getLogger(JudgeStage.class);
    public static final String STORE = "pending-judge-calls";
    public static final String STAGE = "judge";

    private final String synthesis;
    private final String results;
    private final fusion.events.EventRoute events;
    private ProcessorContext<String, Object> context;
    private OpenRequests open;

    /** @param synthesis child that writes final answers; @param results the results sink */
    public JudgeStage(String synthesis, String results) {
        this(synthesis, results, fusion.events.EventRoute.OFF);
    }

    /** @param events where analysis.completed and analysis.failed go, with the judge's outcome */
    public JudgeStage(String synthesis, String results, fusion.events.EventRoute events) {
        this.synthesis = synthesis;
        this.results = results;
        this.events = events;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.open = OpenRequests.of(context);
    }

    @Override
    public String admit(Record<String, Deliberation> record) {
        Deliberation d = record.value();
        long now = context.currentSystemTimeMs();
        FusionResult panel = FusionResults.fromPanel(d, requestOf(d), now);
        if (panel.getStatus() == ResultStatus.error) {
            context.forward(new Record<>(d.getRequestId(), panel, now), results);
            return null;
        }
        return OpenRequests.key(d.getRequestId(), d.getAttempt());
    }

    static List<ModelAnswer> answers(Deliberation d) {
        List<PanelAnswer> sorted = new ArrayList<>(d.getAnswers());
        sorted.sort(Comparator.comparingInt(PanelAnswer::getIndex));
        List<ModelAnswer> out = new ArrayList<>();
        for (PanelAnswer a : sorted) {
            if (CallOutcomes.succeeded(a.getOutcome())) {
                out.add(new ModelAnswer(a.getOutcome().getModel(), a.getOutcome().getContent()));
            }
        }
        return out;
    }

    @Override
    public ChatRequest request(Deliberation d) {
        return chatRequest(d, requestOf(d));
    }

    static ChatRequest chatRequest(Deliberation d, FusionRequest request) {
        JudgePrompt prompt = JudgePrompt.build(request, answers(d));
        ChatRequest call = ChatRequest.of(request.getModel(), prompt.messages())
                .withTemperature(0.0)
                // the spec gives the judge the same web tools as the panel
                .withTools(request.getTools(), request.getMaxToolCalls())
                .withResponseFormat(prompt.responseFormat());
        return CallOutcomes.withRequestLimits(call, request);
    }

    private FusionRequest requestOf(Deliberation d) {
        // 0.1.0's deliberations carry their request; later ones are looked up
        return open.get(d.getRequestId(), d.getAttempt(), d.getRequest());
    }

    @Override
    public void completed(Deliberation d, ChatOutcome outcome) {
        long now = context.currentSystemTimeMs();
        FusionRequest request = requestOf(d);
        FusionResult result = FusionResults.fromPanel(d, request, now);
        try {
            judge(result, d, request, outcome, now);
        } catch (RuntimeException e) {
            log.error("judging request {} failed unexpectedly", d.getRequestId(), e);
            result = FusionResults.unexpected(d.getRequestId(), request, e.toString(), now);
        }
        events.emit(context, fusion.events.FusionEvent.analysis(result, request.getModel(), now));
        if (result.getStatus() == ResultStatus.ok && request.getFinalModel() != null) {
            context.forward(new Record<>(d.getRequestId(), new SynthesisTask(d.getRequest(), result), now), synthesis);
        } else {
            context.forward(new Record<>(d.getRequestId(), result, now), results);
        }
    }

    private static void judge(FusionResult result, Deliberation d, FusionRequest request, ChatOutcome outcome, long now) {
        CallOutcome call = CallOutcomes.toRecord(outcome, now);
        result.getCalls().add(CallOutcomes.ledgerEntry(STAGE, call));
        fusion.results.ResultSources.add(result, call.getModel(), call.getSources());
        result.setJudgeMs(outcome.latencyMs());
        JudgePrompt prompt = JudgePrompt.build(request, answers(d));
        result.setJudgeOrder(prompt.order());
        if (!outcome.succeeded()) {
            String reason = outcome.failure() == FailureKind.EMPTY_COMPLETION ? "judge_empty_completion" : "judge_upstream_error";
            result.setJudgeFailure(CallOutcomes.failure(call, reason));
            return;
        }
        AnalysisParser.Parsed parsed = AnalysisParser.parse(outcome.content(), prompt.labels());
        if (parsed.analysis() != null) {
            result.setAnalysis(parsed.analysis());
            result.setJudgeWarnings(parsed.warnings());
        } else {
            result.setJudgeFailure(new fusion.schema.FailedModel(outcome.model(), parsed.reason(), outcome.statusCode(), parsed.message()));
        }
    }
}
