package fusion.calls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import fusion.model.ChatOutcome;
import fusion.model.Usage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CallBudgetTest {
    private static ChatOutcome answer(String model, Usage usage) {
        return new ChatOutcome(model, "an answer", null, usage, 10, 200, null, null, "stop", List.of(), 1, null, null);
    }

    @Test
    @DisplayName("no usage.cost from the provider → priced from fusion.price.*, and the result carries that cost")
    void pricedFromTheTable() {
        CallBudget budget = new CallBudget(null, CallBudget.prices(Map.of(
                "fusion.price.llama3.1.input-per-mtok", "0.20", "fusion.price.llama3.1.output-per-mtok", "0.60")));

        ChatOutcome recorded = budget.record(answer("llama3.1", new Usage(1_000_000, 500_000, 500_000, null)));

        assertThat(recorded.usage().cost()).isCloseTo(0.20 + 0.60, within(1e-9));
        assertThat(budget.spent()).isCloseTo(0.80, within(1e-9));
    }

    @Test
    @DisplayName("usage.cost reported → it stands, the table is not asked; no price and no cost → costs nothing")
    void reportedCostWins() {
        CallBudget budget = new CallBudget(1.0, CallBudget.prices(Map.of("fusion.price.m.input-per-mtok", "100")));

        ChatOutcome reported = budget.record(answer("m", new Usage(1_000_000, 0, 0, 0.25)));
        ChatOutcome unpriced = budget.record(answer("other", new Usage(1_000_000, 0, 0, null)));

        assertThat(reported.usage().cost()).isEqualTo(0.25);
        assertThat(unpriced.usage().cost()).isNull();
        assertThat(budget.spent()).isEqualTo(0.25);
        assertThat(budget.callsByThisProcess()).isEqualTo(2);
        assertThat(budget.exhausted()).isFalse();
    }
}
