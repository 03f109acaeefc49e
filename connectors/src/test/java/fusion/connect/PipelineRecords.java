package fusion.connect;

import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.schema.Message;
import fusion.schema.Reasoning;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import fusion.topology.PipelineDriver;
import fusion.topology.PipelineSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Real records: requests of every shape, and the results the production topology gave them, calling the built-in
 * simulator over HTTP. Made once per test JVM, since every converter and sink test reads the same ones.
 */
final class PipelineRecords {
    /** Each kind of result the pipeline writes, by request id. */
    static final String ANSWERED = "answered";
    static final String PARTIAL = "partial-panel";
    static final String SYNTHESIZED = "synthesized";
    static final String JUDGE_FAILED = "judge-failed";
    static final String ALL_FAILED = "all-failed";
    static final String INVALID = "invalid";

    private static Map<String, FusionResult> results;

    private PipelineRecords() {}

    /** Requests using every field: reasoning, tools, temperature, metadata, a turn, a preset-free panel. */
    static List<FusionRequest> requests() {
        return List.of(
                ask(ANSWERED, "Survey the arguments for and against a carbon tax.", "sim/alpha", "sim/beta")
                        .setTemperature(0.7).setMaxCompletionTokens(4000).setReasoning(new Reasoning("medium", null))
                        .setTurnId("t-17").setMetadata(new HashMap<>(Map.of("batch_id", "nov-26", "row", "1"))).build(),
                ask(PARTIAL, "Why is the sky blue?", "sim/alpha", "sim/always-garbage").build(),
                ask(SYNTHESIZED, "Name three uses of Kafka.", "sim/alpha", "sim/beta").setFinalModel("sim/writer").build(),
                ask(JUDGE_FAILED, "What is a monad?", "sim/alpha", "sim/beta").setModel("sim/prose-judge").build(),
                ask(ALL_FAILED, "Unanswerable", "sim/always-garbage").build(),
                ask(INVALID, "Too hot", "sim/alpha").setTemperature(3.0).build());
    }

    private static FusionRequest.Builder ask(String id, String question, String... panel) {
        return FusionRequest.newBuilder()
                .setRequestId(id)
                .setMessages(new ArrayList<>(List.of(new Message("system", "Be brief."), new Message("user", question))))
                .setAnalysisModels(new ArrayList<>(List.of(panel)))
                .setModel("sim/judge")
                .setTools(new ArrayList<>())
                .setMetadata(new HashMap<>());
    }

    /** The pipeline's result of each of {@link #requests()}, by request id, in that order. */
    static synchronized Map<String, FusionResult> results() {
        if (results == null) results = answers(requests());
        return results;
    }

    /** What the production topology answers to {@code requests}, by request id, in their order. */
    static Map<String, FusionResult> answers(List<FusionRequest> requests) {
        Map<String, String> sim = Map.of("fusion.simulator.latency-ms", "10", "fusion.simulator.jitter-ms", "0");
        try (Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(sim));
             OpenAiChatClient client = new OpenAiChatClient(ProviderRoutes.single("simulator", simulator.baseUrl(), null), Duration.ofSeconds(20));
             PipelineDriver pipeline = new PipelineDriver(client, PipelineSettings.defaults())) {
            requests.forEach(pipeline::submit);
            Map<String, FusionResult> got = new LinkedHashMap<>();
            for (FusionRequest r : requests) got.put(r.getRequestId(), pipeline.awaitResult(r.getRequestId()));
            return java.util.Collections.unmodifiableMap(got);
        }
    }

    static FusionResult result(String id) {
        return results().get(id);
    }
}
