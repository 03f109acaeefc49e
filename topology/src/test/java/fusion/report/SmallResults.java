package fusion.report;

import fusion.runtime.ResultSink;
import fusion.schema.Analysis;
import fusion.schema.CallRecord;
import fusion.schema.Contradiction;
import fusion.schema.FailedModel;
import fusion.schema.FusionResult;
import fusion.schema.ModelResponse;
import fusion.schema.PartialCoverage;
import fusion.schema.ResultStatus;
import fusion.schema.Stance;
import fusion.schema.TokenUsage;
import fusion.schema.UniqueInsight;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Four results whose figures are known by hand: three models, one contradiction each way (a 2–1 split and a 1–1 tie),
 * a judge that failed, and a panel that failed whole.
 */
public final class SmallResults {
    /** An answer that tries to break out of the page: it must show as text, never run. */
    public static final String HOSTILE = "</script><img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>";

    private SmallResults() {}

    public static List<FusionResult> results() {
        FusionResult split = ok("r1-split", List.of(answer("a/one", "Fast wins."), answer("b/two", "Fast, mostly."), answer("c/three", HOSTILE)),
                new Analysis(List.of("tests matter", "cost matters"),
                        List.of(new Contradiction("Speed", List.of(new Stance("a/one", "fast, about 10 ms"), new Stance("b/two", "Fast, about 12 ms"),
                                new Stance("c/three", "slow, about 90 ms")))),
                        List.of(new PartialCoverage(List.of("a/one", "b/two"), "caching")),
                        List.of(new UniqueInsight("c/three", "security " + HOSTILE)), List.of("licensing")),
                List.of(call("panel", "a/one", 100, 0.001), call("panel", "b/two", 200, 0.002), call("panel", "c/three", 300, 0.003),
                        call("judge", "j/judge", 500, 0.004)));
        FusionResult tie = ok("r2-tie", List.of(answer("a/one", "Yes."), answer("b/two", "No.")),
                new Analysis(List.of("it depends"), List.of(new Contradiction("speed ", List.of(new Stance("a/one", "yes"), new Stance("b/two", "no")))),
                        List.of(), List.of(), List.of()),
                List.of(call("panel", "a/one", 120, 0.001), call("panel", "b/two", 220, 0.002), call("judge", "j/judge", 400, 0.004)));
        tie.setFailedModels(new ArrayList<>(List.of(new FailedModel("c/three", "rate_limited", 429, "slow down"))));
        FusionResult judgeFailed = ok("r3-judge-failed", List.of(answer("a/one", "Maybe.")), null,
                List.of(call("panel", "a/one", 140, 0.001), call("judge", "j/judge", 50, 0.0)));
        judgeFailed.setFailedModels(new ArrayList<>(List.of(new FailedModel("b/two", "timeout", null, "no answer in 30 s"))));
        judgeFailed.setJudgeFailure(new FailedModel("j/judge", "server_error", 500, "judge down"));
        FusionResult failed = FusionResult.newBuilder().setRequestId("r4-all-failed").setStatus(ResultStatus.error)
                .setFailureReason("all_panels_failed").setError("every panel model failed")
                .setFailedModels(new ArrayList<>(List.of(new FailedModel("a/one", "server_error", 500, "boom"),
                        new FailedModel("b/two", "server_error", 503, "boom"))))
                .setReceivedAt(1000).setCompletedAt(1300).build();
        return List.of(split, tie, judgeFailed, failed);
    }

    public static Path write(Path file, ResultSink.Format format) throws IOException {
        try (ResultSink sink = ResultSink.open(file, format)) {
            results().forEach(sink::write);
        }
        return file;
    }

    private static FusionResult ok(String id, List<ModelResponse> answers, Analysis analysis, List<CallRecord> calls) {
        return FusionResult.newBuilder().setRequestId(id).setStatus(ResultStatus.ok).setResponses(new ArrayList<>(answers))
                .setAnalysis(analysis).setJudgeModel("j/judge").setCalls(new ArrayList<>(calls)).setReceivedAt(1000).setCompletedAt(2000).build();
    }

    private static ModelResponse answer(String model, String content) {
        return new ModelResponse(model, content);
    }

    private static CallRecord call(String stage, String model, long latencyMs, double cost) {
        return new CallRecord(stage, model, 200, null, latencyMs, 1, new TokenUsage(10L, 20L, 0L, cost, 0L, null), false, Map.of(), 0L, 1);
    }
}
