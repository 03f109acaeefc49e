package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.model.ChatClient;
import fusion.model.ProviderRoutes;
import fusion.schema.FusionRequest;
import fusion.schema.Message;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import fusion.topology.PipelineDriver;
import fusion.topology.PipelineSettings;
import io.micrometer.core.instrument.Metrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Prometheus endpoint of a running app, scraped over HTTP after requests went through the pipeline. */
class MetricsEndpointTest {

    @Test
    @DisplayName("/metrics shows model calls (latency, tokens, cost, in flight), retries and results by status")
    void scrape() throws Exception {
        // always-500 and always-429 never recover: 4 attempts, not the default patience of 10 minutes
        FusionConfig config = FusionConfig.load(null, Map.of("fusion.calls.retry.base-ms", "1", "fusion.calls.retry.max-attempts", "4"));
        try (MetricsEndpoint metrics = MetricsEndpoint.start(0);
             Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of("fusion.simulator.latency-ms", "5")));
             ChatClient client = ModelCalls.open(ProviderRoutes.single("simulator", simulator.baseUrl(), null), config, Metrics.globalRegistry);
             PipelineDriver pipeline = new PipelineDriver(client, PipelineSettings.defaults())) {
            pipeline.submit(request("m1", "sim/alpha", "sim/beta"));
            pipeline.submit(request("m2", "sim/always-500", "sim/always-429"));
            pipeline.awaitResult("m1");
            pipeline.awaitResult("m2");

            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + metrics.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();

            assertThat(body).contains("fusion_results_total{analysis=\"present\",failure_reason=\"none\",status=\"ok\"} 1.0");
            assertThat(body).contains("fusion_results_total{analysis=\"absent\",failure_reason=\"rate_limited\",status=\"error\"} 1.0");
            assertThat(body).contains("gen_ai_client_operation_duration_seconds_bucket{");
            assertThat(body).contains("gen_ai_request_model=\"sim/alpha\"");
            assertThat(body).contains("gen_ai_client_token_usage");
            assertThat(body).contains("fusion_model_cost_usd_total");
            assertThat(body).contains("fusion_model_calls_in_flight");
            assertThat(body).containsPattern("fusion_model_retries_total\\{[^}]*reason=\"server_error\"");
            assertThat(body).contains("jvm_memory_used_bytes");
        }
    }

    private static FusionRequest request(String id, String... panel) {
        return FusionRequest.newBuilder().setRequestId(id)
                .setMessages(new ArrayList<>(List.of(new Message("user", "Compare two designs"))))
                .setAnalysisModels(new ArrayList<>(List.of(panel))).setModel("sim/judge")
                .setTools(new ArrayList<>()).setMetadata(new HashMap<>()).build();
    }
}
