package fusion.topology;

import static fusion.topology.Requests.ask;
import static org.assertj.core.api.Assertions.assertThat;

import fusion.schema.CallRecord;
import fusion.schema.FusionResult;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The stores that remember ids forget them after their retention, so they stay bounded. */
class RetentionTest {
    @Test
    @DisplayName("a request id is remembered for fusion.intake.retention-ms: a repeat within it gets no result, one after it is a new request")
    void requestIdsAreForgottenAfterTheirRetention() {
        PipelineSettings settings = PipelineSettings.defaults().withRequestRetention(Duration.ofMinutes(2));
        try (SimulatedPipeline sim = new SimulatedPipeline(settings, Map.of())) {
            sim.pipeline.submit(ask("again", "q", "sim/alpha").build());
            sim.pipeline.awaitResult("again");
            sim.pipeline.submit(ask("again", "q", "sim/alpha").build());
            assertThat(sim.pipeline.settle(Duration.ofMillis(500)).get("again")).as("within the retention: no second result").hasSize(1);

            sim.pipeline.driver.advanceWallClockTime(Duration.ofMinutes(3)); // the retention scan runs and forgets the id
            sim.pipeline.submit(ask("again", "q", "sim/alpha").build());

            assertThat(sim.pipeline.settle(Duration.ofSeconds(3)).get("again")).as("after the retention: a new request").hasSize(2);
        }
    }

    @Test
    @DisplayName("an answer older than fusion.calls.reuse-retention-ms is not reused: the call is paid again")
    void oldAnswersAreNotReused() {
        PipelineSettings d = PipelineSettings.defaults();
        PipelineSettings settings = d.withCalls(new fusion.calls.CallSettings(d.calls().forwardInterval(), d.calls().maxCapacityWaitMillis(),
                d.calls().maxQueued(), true, d.calls().deadline(), Duration.ofMinutes(1)));
        try (SimulatedPipeline sim = new SimulatedPipeline(settings, Map.of())) {
            sim.pipeline.submit(ask("early", "Compare Rust and Go for services", "sim/alpha").build());
            sim.pipeline.awaitResult("early");
            sim.pipeline.submit(ask("fresh", "Compare Rust and Go for services", "sim/alpha").build());
            FusionResult fresh = sim.pipeline.awaitResult("fresh");
            assertThat(fresh.getCalls()).filteredOn(c -> c.getStage().equals("panel")).extracting(CallRecord::getReused).containsOnly(true);

            sim.pipeline.driver.advanceWallClockTime(Duration.ofMinutes(2));
            long before = sim.simulator.callCount();
            sim.pipeline.submit(ask("late", "Compare Rust and Go for services", "sim/alpha").build());
            FusionResult late = sim.pipeline.awaitResult("late");

            assertThat(late.getCalls()).filteredOn(c -> c.getStage().equals("panel")).extracting(CallRecord::getReused).containsOnly(false);
            assertThat(sim.simulator.callCount() - before).as("panel and judge both called").isEqualTo(2);
        }
    }
}
