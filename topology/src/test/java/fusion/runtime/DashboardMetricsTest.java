package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import fusion.model.ChatClient;
import fusion.model.ProviderRoutes;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import fusion.topology.Topics;
import io.micrometer.core.instrument.Metrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-compose.yml's Prometheus and Grafana: the scrape config reaches the app's endpoint, and every metric the
 * dashboard queries is one a real run exports. The names come from scraping a running pipeline, not from a list.
 */
class DashboardMetricsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** PromQL's own words: functions, aggregations and their modifiers. */
    private static final Set<String> PROMQL = Set.of("sum", "max", "min", "avg", "count", "rate", "irate", "increase",
            "histogram_quantile", "by", "without", "on", "ignoring", "topk", "bottomk", "delta", "deriv", "abs", "clamp_min");

    @TempDir
    Path dir;

    @Test
    @DisplayName("Prometheus scrapes the app's /metrics on the port compose gives it; Grafana reads that Prometheus; every metric on the dashboard is one a real run exports")
    void dashboardMetricsExist() throws Exception {
        JsonNode compose = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
        List<String> serve = new ArrayList<>();
        compose.get("services").get("fusion").get("command").forEach(c -> serve.add(c.asText()));
        String metricsPort = serve.get(serve.indexOf("--metrics-port") + 1);

        JsonNode scrape = YAML.readTree(ROOT.resolve("deploy/prometheus.yml").toFile()).get("scrape_configs").get(0);
        assertThat(scrape.get("metrics_path").asText()).isEqualTo("/metrics");
        JsonNode sd = scrape.get("dns_sd_configs").get(0);
        assertThat(sd.get("names").get(0).asText()).as("the compose service").isEqualTo("fusion");
        assertThat(sd.get("port").asText()).as("serve --metrics-port in docker-compose.yml").isEqualTo(metricsPort);

        JsonNode datasource = YAML.readTree(ROOT.resolve("deploy/grafana/provisioning/datasources/prometheus.yml").toFile())
                .get("datasources").get(0);
        assertThat(datasource.get("url").asText()).isEqualTo("http://prometheus:9090");
        assertThat(compose.get("services").get("grafana").get("volumes").toString()).contains("./deploy/grafana/dashboards:/var/lib/grafana/dashboards");

        JsonNode dashboard = new ObjectMapper().readTree(ROOT.resolve("deploy/grafana/dashboards/fusion.json").toFile());
        Set<String> queried = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) queried.addAll(metricNames(target.get("expr").asText()));
        }
        assertThat(queried).as("the dashboard's metrics: calls, latency, tokens, cost, retries, circuit state, results, lag")
                .hasSizeGreaterThanOrEqualTo(8);

        Set<String> exported = exportedByARun();
        assertThat(exported).as("what a real run's /metrics serves").containsAll(queried);
    }

    @Test
    @DisplayName("metric names are read out of PromQL: label matchers, grouping labels, ranges and functions are not names")
    void namesOutOfPromQl() {
        assertThat(metricNames("histogram_quantile(0.95, sum by (le, gen_ai_request_model) (rate(a_seconds_bucket{status=\"ok\"}[5m])))"))
                .containsExactly("a_seconds_bucket");
        assertThat(metricNames("sum(rate(x_total[1m])) / max(y)")).containsExactly("x_total", "y");
    }

    /** Metric names in a PromQL expression: its identifiers less label matchers, grouping labels, ranges and PromQL's words. */
    static Set<String> metricNames(String expr) {
        String bare = expr.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(bare);
        while (m.find()) if (!PROMQL.contains(m.group())) names.add(m.group());
        return names;
    }

    /** Runs requests through the pipeline on a real broker, one model always failing (retries, a circuit), and scrapes. */
    private Set<String> exportedByARun() throws Exception {
        Path input = dir.resolve("rows.jsonl");
        Files.write(input, List.of(
                "{\"id\":\"d1\",\"prompt\":\"Compare two designs\",\"analysis_models\":[\"sim/alpha\",\"sim/beta\"],\"model\":\"sim/judge\"}",
                "{\"id\":\"d2\",\"prompt\":\"Compare two plans\",\"analysis_models\":[\"sim/alpha\",\"sim/always-500\"],\"model\":\"sim/judge\"}"));
        FusionConfig config = FusionConfig.load(null, Map.of("fusion.calls.retry.base-ms", "1", "fusion.calls.retry.max-attempts", "3"));
        try (KafkaClusterTestKit kafka = KafkaTestCluster.start();
             MetricsEndpoint metrics = MetricsEndpoint.start(0);
             Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of("fusion.simulator.latency-ms", "5")));
             ChatClient client = ModelCalls.open(ProviderRoutes.single("simulator", simulator.baseUrl(), null), config, Metrics.globalRegistry)) {
            Topics topics = Topics.withDefaultPrefix();
            var settings = FusionApp.Settings.embedded(kafka.bootstrapServers(), dir.resolve("streams"));
            try (FusionApp app = FusionApp.start(settings, topics, config.pipeline(), client, config.capacity())) {
                metrics.watch(app.streams());
                RunSummary summary = new BulkRun(kafka.bootstrapServers(), topics,
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Duration.ofSeconds(1))
                        .run(input, dir.resolve("results.jsonl"));
                assertThat(summary.requests()).isEqualTo(2);
                String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + metrics.port() + "/metrics"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                return body.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                        .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
            }
        }
    }
}
