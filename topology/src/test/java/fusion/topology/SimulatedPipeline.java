package fusion.topology;

import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The topology in a test driver, calling the built-in simulator over real HTTP. */
final class SimulatedPipeline implements AutoCloseable {
    final Simulator simulator;
    final OpenAiChatClient client;
    final PipelineDriver pipeline;

    SimulatedPipeline(PipelineSettings settings, Map<String, String> simulatorSettings) {
        this(settings, simulatorSettings, new fusion.calls.CallCapacity(64, 16));
    }

    SimulatedPipeline(PipelineSettings settings, Map<String, String> simulatorSettings, fusion.calls.CallCapacity capacity) {
        this(settings, simulatorSettings, capacity, Topics.withDefaultPrefix());
    }

    /** The same on {@code topics}: results as JSON, say. */
    SimulatedPipeline(Topics topics) {
        this(PipelineSettings.defaults(), Map.of(), new fusion.calls.CallCapacity(64, 16), topics);
    }

    private SimulatedPipeline(PipelineSettings settings, Map<String, String> simulatorSettings, fusion.calls.CallCapacity capacity, Topics topics) {
        Map<String, String> sim = new HashMap<>(Map.of(
                "fusion.simulator.latency-ms", "20",
                "fusion.simulator.jitter-ms", "5",
                "fusion.simulator.timeout-hang-ms", "30000"));
        sim.putAll(simulatorSettings);
        simulator = Simulator.start(SimulatorConfig.fromProperties(sim));
        client = new OpenAiChatClient(ProviderRoutes.single("simulator", simulator.baseUrl(), null), Duration.ofSeconds(20));
        pipeline = new PipelineDriver(client, settings, capacity, topics);
    }

    SimulatedPipeline() {
        this(PipelineSettings.defaults(), Map.of());
    }

    @Override
    public void close() {
        pipeline.close();
        client.close();
        simulator.close();
    }
}
