package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.schema.CallRecord;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import fusion.schema.TokenUsage;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RunSummaryTest {
    private static CallRecord call(String stage, String model, long in, long out, Double cost) {
        return CallRecord.newBuilder().setStage(stage).setModel(model).setUsage(new TokenUsage(in, out, 0L, cost, 0L, null)).build();
    }

    private static FusionResult result(String id, ResultStatus status, List<CallRecord> calls) {
        return FusionResult.newBuilder().setRequestId(id).setStatus(status).setCalls(calls).setReceivedAt(1000).setCompletedAt(1500).build();
    }

    @Test
    @DisplayName("summary → usage and cost per stage and per model, summed over every result's calls")
    void costPerStageAndModel() {
        RunSummary.Tally tally = new RunSummary.Tally();
        tally.add(result("a", ResultStatus.ok, List.of(call("panel", "m/one", 10, 20, 0.01), call("panel", "m/two", 10, 30, 0.02),
                call("judge", "m/one", 100, 40, 0.05))));
        tally.add(result("b", ResultStatus.error, List.of(call("panel", "m/one", 10, 0, null))));

        RunSummary s = tally.summary(2, 0, 2000);

        assertThat(s.ok()).isEqualTo(1);
        assertThat(s.errors()).isEqualTo(1);
        assertThat(s.calls()).isEqualTo(4);
        assertThat(s.cost()).isCloseTo(0.08, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.byStage().get("panel")).isEqualTo(new RunSummary.Spend(3, 30, 50, 0.03));
        assertThat(s.byStage().get("judge").cost()).isCloseTo(0.05, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.byModel().get("m/one").calls()).isEqualTo(3);
        assertThat(s.byModel().get("m/two").completionTokens()).isEqualTo(30);
        assertThat(s.p50Millis()).isEqualTo(500);
        assertThat(s.describe()).contains("by stage:", "by model:", "m/two");
    }

    @Test
    @DisplayName("the summary fits 80 columns: long model ids get a line of their own, long lines wrap")
    void fitsEightyColumns() {
        RunSummary.Tally tally = new RunSummary.Tally();
        String longModel = "~anthropic/claude-opus-latest-with-a-very-long-suffix";
        CallRecord retried = call("panel", "m/one", 1_234_567, 7_654_321, 123.4567);
        retried.setRetries(new java.util.TreeMap<>(java.util.Map.of("rate_limited", 12, "server_error", 3, "network", 7, "timeout", 2,
                "overloaded", 9)));
        tally.add(result("a", ResultStatus.ok, List.of(retried, call("judge", longModel, 10, 20, 0.5))));

        String text = tally.summary(100_000, 12_345, 3_600_000).withRetriedResults(17).withDuplicateIds(3).describe();

        assertThat(text.lines()).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80));
        assertThat(text).contains("  " + longModel + System.lineSeparator(), "tokens in");
        assertThat(text.replaceAll("\\s+", " ")).contains("rate_limited 12", "overloaded 9", "(+12345 input rows answered as they were read)");
    }
}
