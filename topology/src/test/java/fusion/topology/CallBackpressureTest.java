package fusion.topology;

import static fusion.topology.Requests.ask;
import static org.assertj.core.api.Assertions.assertThat;

import fusion.calls.CallCapacity;
import fusion.calls.CallSettings;
import fusion.model.ChatClient;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.schema.ResultStatus;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** In-flight limits and backpressure of the call stages, through the topology and the simulator. */
class CallBackpressureTest {
    private final Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of("fusion.simulator.latency-ms", "150")));
    private final InFlightProbe client = new InFlightProbe(new OpenAiChatClient(
            ProviderRoutes.single("simulator", simulator.baseUrl(), null), Duration.ofSeconds(20)));
    private PipelineDriver pipeline;

    /** Passes calls through and remembers the most that were ever in flight per model. */
    static final class InFlightProbe implements ChatClient {
        final ChatClient http;
        final Map<String, AtomicInteger> now = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> most = new ConcurrentHashMap<>();

        InFlightProbe(ChatClient http) {
            this.http = http;
        }

        @Override
        public CompletableFuture<ChatOutcome> complete(ChatRequest request) {
            int n = now.computeIfAbsent(request.model(), m -> new AtomicInteger()).incrementAndGet();
            most.computeIfAbsent(request.model(), m -> new AtomicInteger()).accumulateAndGet(n, Math::max);
            return http.complete(request).whenComplete((o, e) -> now.get(request.model()).decrementAndGet());
        }

        int most(String model) {
            return most.getOrDefault(model, new AtomicInteger()).get();
        }

        @Override
        public void close() {
            http.close();
        }
    }

    @AfterEach
    void close() {
        if (pipeline != null) pipeline.close();
        client.close();
        simulator.close();
    }

    private static PipelineSettings settings(long maxWaitMs, int maxQueued) {
        PipelineSettings d = PipelineSettings.defaults();
        return d.withCalls(new CallSettings(Duration.ofMillis(10), maxWaitMs, maxQueued));
    }

    @Test
    @DisplayName("a model at its in-flight limit → further calls queue and start as slots free; never more than the limit in flight")
    void limitHolds() {
        pipeline = new PipelineDriver(client, settings(30_000, 100), new CallCapacity(8, 2));

        for (int i = 0; i < 8; i++) pipeline.submit(ask("b" + i, "question " + i, "sim/alpha").build());

        for (int i = 0; i < 8; i++) assertThat(pipeline.awaitResult("b" + i).getStatus()).isEqualTo(ResultStatus.ok);
        assertThat(client.most("sim/alpha")).isEqualTo(2);
        assertThat(client.most("sim/judge")).isLessThanOrEqualTo(2);
    }

    @Test
    @DisplayName("queue full and no capacity → the stream thread waits only out of its allowance, then queues past the bound; nothing is lost")
    void boundedWait() {
        CallCapacity capacity = new CallCapacity(8, 1);
        pipeline = new PipelineDriver(client, settings(300, 1), capacity);
        pipeline.submit(ask("w0", "q0", "sim/slow-1200").build()); // takes the only slot
        pipeline.submit(ask("w1", "q1", "sim/slow-1200").build()); // fills the queue
        pipeline.submit(ask("w2", "q2", "sim/slow-1200").build()); // queue full: waits out the allowance, then queues anyway

        assertThat(capacity.stats().queuedPastBound()).isPositive();
        for (String id : new String[] {"w0", "w1", "w2"}) {
            assertThat(pipeline.awaitResult(id, Duration.ofSeconds(30)).getStatus()).isEqualTo(ResultStatus.ok);
        }
    }
}
