package fusion.connect;

import fusion.calls.CallCapacity;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.runtime.FusionApp;
import fusion.runtime.KafkaTestCluster;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import fusion.topology.PipelineSettings;
import fusion.topology.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;

/** The pipeline as fusion serve --simulate runs it, in this JVM: a real KRaft broker, the streams app, every model on the simulator. */
final class RunningPipeline implements AutoCloseable {
    final KafkaClusterTestKit kafka;
    final Topics topics = Topics.withDefaultPrefix();
    private final Simulator simulator;
    private final OpenAiChatClient client;
    private final FusionApp app;

    private RunningPipeline(KafkaClusterTestKit kafka, Simulator simulator, OpenAiChatClient client, FusionApp app) {
        this.kafka = kafka;
        this.simulator = simulator;
        this.client = client;
        this.app = app;
    }

    static RunningPipeline start(Path stateDir) throws Exception {
        KafkaClusterTestKit kafka = KafkaTestCluster.start();
        Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of("fusion.simulator.latency-ms", "20")));
        OpenAiChatClient client = new OpenAiChatClient(ProviderRoutes.single("simulator", simulator.baseUrl(), null), Duration.ofSeconds(30));
        FusionApp app = FusionApp.start(FusionApp.Settings.embedded(kafka.bootstrapServers(), stateDir), Topics.withDefaultPrefix(),
                PipelineSettings.defaults(), client, new CallCapacity(256, 64));
        return new RunningPipeline(kafka, simulator, client, app);
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public void close() throws Exception {
        try (kafka; simulator; client; app) {
            // closed in reverse: the app, the client, the simulator, the broker
        }
    }
}
