package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-compose.yml, the Dockerfile and deploy/ cannot run here (no Docker engine); this checks
 * what can be checked without one: the YAML parses and its parts fit together, Compose v1 reads it
 * (when Debian's docker-compose is installed), and the dashboard asks only for metrics a real run of
 * the app serves. ClusterCommandsTest runs deploy/fusion.properties itself.
 */
class DeployFilesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What Compose v1 (1.27 and later: the Compose Specification's schema) takes at the top level; it rejects name. */
    private static final Set<String> V1_TOP_LEVEL = Set.of("version", "services", "volumes", "networks", "secrets", "configs");

    @TempDir
    Path dir;

    @Test
    @DisplayName("docker-compose.yml parses; kafka, schema-registry, connect, the app, prometheus and grafana fit together; the API key comes from the host")
    void composeFile() throws Exception {
        JsonNode compose = compose();
        JsonNode services = compose.get("services");
        assertThat(services.fieldNames()).toIterable()
                .containsExactlyInAnyOrder("kafka", "schema-registry", "connect", "fusion", "prometheus", "grafana");

        JsonNode kafka = services.get("kafka");
        assertThat(kafka.get("image").asText()).startsWith("apache/kafka:4.");
        assertThat(kafka.get("environment").get("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        assertThat(kafka.get("environment").get("KAFKA_ADVERTISED_LISTENERS").asText())
                .contains("PLAINTEXT://kafka:9092").contains("PLAINTEXT_HOST://localhost:29092");

        JsonNode fusion = services.get("fusion");
        assertThat(texts(fusion.get("command"))).containsSubsequence("serve", "--bootstrap-servers", "kafka:9092",
                "--config", "/etc/fusion/fusion.properties");
        assertThat(texts(fusion.get("volumes"))).contains("./deploy/fusion.properties:/etc/fusion/fusion.properties:ro");
        assertThat(fusion.get("environment").get("OPENROUTER_API_KEY").asText()).as("taken from the host's environment")
                .isEqualTo("${OPENROUTER_API_KEY}");
        Map<String, String> env = new java.util.HashMap<>();
        fusion.get("environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        assertThat(FusionConfig.fromEnvironment(env)).as("the app writes for the compose file's registry, through Apicurio's ccompat API")
                .containsEntry("fusion.schema-registry.url", "http://schema-registry:8080/apis/ccompat/v7");
        assertThat(names(fusion.get("depends_on"))).contains("schema-registry");

        for (JsonNode service : services) {
            for (String volume : texts(service.get("volumes"))) {
                if (!volume.startsWith("./")) continue;
                Path source = ROOT.resolve(volume.substring(2, volume.indexOf(':')));
                // a build output exists once `mvn package` has run; its module must
                if (source.startsWith(ROOT.resolve("connectors/target"))) assertThat(ROOT.resolve("connectors/pom.xml")).as(volume).exists();
                else assertThat(source).as(volume).exists();
            }
            for (String dependency : names(service.get("depends_on"))) assertThat(services.has(dependency)).as(dependency).isTrue();
        }
    }

    @Test
    @DisplayName("docker-compose.yml suits Compose v2 and v1: no top-level name, a version v1 reads, every service with a healthcheck; v1 itself accepts it where installed")
    void composeV1AndV2() throws Exception {
        JsonNode compose = compose();

        List<String> topLevel = new ArrayList<>();
        compose.fieldNames().forEachRemaining(topLevel::add);
        assertThat(topLevel).as("v1 rejects a top-level name").doesNotContain("name")
                .allSatisfy(key -> assertThat(V1_TOP_LEVEL.contains(key) || key.startsWith("x-")).as(key).isTrue());
        if (compose.has("version")) {
            assertThat(compose.get("version").isTextual()).as("v1 wants the version as a string").isTrue();
            assertThat(compose.get("version").asText()).as("a version whose schema has healthcheck-gated depends_on").matches("2\\.[1-9]|3\\.9");
        }
        compose.get("services").fields().forEachRemaining(service -> {
            JsonNode check = service.getValue().get("healthcheck");
            assertThat(check).as(service.getKey() + " has a healthcheck").isNotNull();
            assertThat(texts(check.get("test"))).as(service.getKey()).hasSizeGreaterThan(1).first().isIn("CMD", "CMD-SHELL");
            assertThat(check.path("disable").asBoolean(false)).as(service.getKey()).isFalse();
        });

        // Debian's docker-compose is Compose v1 (1.29); it validates the file without a Docker engine
        Path v1 = Path.of("/usr/bin/docker-compose");
        if (Files.isExecutable(v1)) {
            ProcessBuilder config = new ProcessBuilder(v1.toString(), "-f", "docker-compose.yml", "config", "-q").directory(ROOT.toFile())
                    .redirectErrorStream(true);
            config.environment().put("OPENROUTER_API_KEY", "unused");
            Process p = config.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("docker-compose config: " + output).isZero();
        }
    }

    @Test
    @DisplayName("Connect mounts the build's plugin directory on its plugin.path, beside deploy/connect-plugins")
    void connectMountsThePlugin() throws Exception {
        JsonNode connect = compose().get("services").get("connect");
        Map<String, String> mounts = new HashMap<>();
        for (String volume : texts(connect.get("volumes"))) {
            String[] parts = volume.split(":");
            mounts.put(parts[0], parts[1]);
        }
        String workerConfig = texts(connect.get("command")).get(1);
        String workerFile = mounts.entrySet().stream().filter(e -> e.getValue().equals(workerConfig)).findFirst().orElseThrow().getKey();
        Properties worker = new Properties();
        try (var in = Files.newBufferedReader(ROOT.resolve(workerFile.substring(2)))) {
            worker.load(in);
        }
        List<String> pluginPath = List.of(worker.getProperty("plugin.path").split("\\s*,\\s*"));

        assertThat(mounts).as("the plugin as the connectors module builds it").containsKey("./connectors/target/plugin");
        assertThat(pluginPath).contains(mounts.get("./connectors/target/plugin"), mounts.get("./deploy/connect-plugins"));
        assertThat(Files.readString(ROOT.resolve("connectors/pom.xml"))).contains("<artifactId>fusion-connectors</artifactId>");
    }

    @Test
    @DisplayName("deploy/fusion.properties holds no API key: OpenRouter is usable only once OPENROUTER_API_KEY is set")
    void appSettingsHoldNoKey() throws Exception {
        FusionConfig config = FusionConfig.load(ROOT.resolve("deploy/fusion.properties"), Map.of(), Map.of());

        assertThat(config.values().keySet()).noneMatch(key -> key.endsWith(".api-key"));
        assertThat(ProviderRoutes.fromProperties(config.values(), name -> null).hasUsableProvider()).isFalse();
        assertThat(ProviderRoutes.fromProperties(config.values(), Map.of("OPENROUTER_API_KEY", "sk-or-test")::get).hasUsableProvider()).isTrue();
        assertThat(config.integer("fusion.replication-factor", 0)).as("the compose file has one broker").isEqualTo(1);
    }

    @Test
    @DisplayName("the Dockerfile builds with Maven and runs the jar the build makes on a Java 17 JRE, Avro's trusted package set")
    void dockerfile() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));

        assertThat(dockerfile).contains("FROM maven:3-eclipse-temurin-17 AS build", "FROM eclipse-temurin:17-jre",
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=fusion.schema", "/src/topology/target/fusion.jar", "/src/topology/target/lib");
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        while (module.find()) {
            assertThat(dockerfile).as("Maven reads every module the parent lists").contains("COPY " + module.group(1) + " " + module.group(1));
        }
        assertThat(Files.readString(ROOT.resolve("topology/pom.xml"))).contains("<finalName>fusion</finalName>", "<classpathPrefix>lib/</classpathPrefix>");
    }

    @Test
    @DisplayName("deploy/prometheus.yml scrapes every fusion instance on the port and path the app serves metrics on")
    void scrapeConfig() throws Exception {
        JsonNode prometheus = YAML.readTree(ROOT.resolve("deploy/prometheus.yml").toFile());
        JsonNode services = compose().get("services");
        List<String> serve = texts(services.get("fusion").get("command"));
        int metricsPort = Integer.parseInt(serve.get(serve.indexOf("--metrics-port") + 1));

        JsonNode job = null;
        for (JsonNode j : prometheus.get("scrape_configs")) if (j.get("job_name").asText().equals("fusion")) job = j;
        assertThat(job).as("a scrape job for the app").isNotNull();
        assertThat(job.path("metrics_path").asText(MetricsEndpoint.PATH)).isEqualTo(MetricsEndpoint.PATH);
        JsonNode sd = job.get("dns_sd_configs").get(0);
        assertThat(texts(sd.get("names"))).as("every instance of the compose service, by Compose's DNS").containsExactly("fusion");
        assertThat(sd.get("port").asInt()).isEqualTo(metricsPort);
        assertThat(texts(services.get("prometheus").get("volumes"))).contains("./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
        assertThat(String.join(" ", texts(services.get("fusion").get("healthcheck").get("test"))))
                .as("the app's healthcheck asks its /health").contains("/dev/tcp/127.0.0.1/" + metricsPort, "GET " + MetricsEndpoint.HEALTH_PATH + " ");
    }

    @Test
    @DisplayName("Grafana is provisioned with the Prometheus datasource and a dashboard with panels for calls, latency, tokens, cost, retries, circuits, results and consumer lag")
    void grafanaProvisioning() throws Exception {
        JsonNode grafana = compose().get("services").get("grafana");
        assertThat(texts(grafana.get("volumes"))).contains("./deploy/grafana/provisioning:/etc/grafana/provisioning:ro",
                "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro");
        JsonNode datasource = YAML.readTree(ROOT.resolve("deploy/grafana/provisioning/datasources/prometheus.yml").toFile()).get("datasources").get(0);
        assertThat(datasource.get("type").asText()).isEqualTo("prometheus");
        assertThat(datasource.get("url").asText()).as("the compose file's prometheus").isEqualTo("http://prometheus:9090");
        JsonNode provider = YAML.readTree(ROOT.resolve("deploy/grafana/provisioning/dashboards/fusion.yml").toFile()).get("providers").get(0);
        assertThat(provider.get("options").get("path").asText()).isEqualTo("/var/lib/grafana/dashboards");

        JsonNode dashboard = dashboard();
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            if (panel.get("type").asText().equals("row")) continue;
            titles.add(panel.get("title").asText().toLowerCase(java.util.Locale.ROOT));
            assertThat(panel.get("datasource").get("uid").asText()).as(panel.get("title").asText()).isEqualTo(datasource.get("uid").asText());
            assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
        }
        for (String topic : List.of("calls", "latency", "tokens", "cost", "retries", "circuit", "results", "consumer lag")) {
            assertThat(titles).as("a panel for " + topic).anyMatch(t -> t.contains(topic));
        }
    }

    @Test
    @DisplayName("every metric and label the dashboard's PromQL names is one the app exports: scraped over HTTP from a short real run, consumer lag included; /health answers the compose healthcheck")
    void dashboardAsksForExportedMetrics() throws Exception {
        Map<String, Set<String>> wanted = new TreeMap<>();
        for (String expr : expressions(dashboard())) {
            Set<String> labels = labelsOf(expr);
            for (String metric : metricNames(expr)) wanted.computeIfAbsent(metric, m -> new TreeSet<>()).addAll(labels);
        }
        assertThat(wanted).as("the dashboard's metrics").containsKeys("gen_ai_client_operation_duration_seconds_bucket",
                "gen_ai_client_token_usage_sum", "fusion_model_cost_usd_total", "fusion_model_retries_total", "fusion_model_circuit_state",
                "fusion_results_total", "kafka_consumer_fetch_manager_records_lag");

        FusionConfig config = FusionConfig.load(null, Map.of("fusion.calls.retry.base-ms", "1", "fusion.calls.retry.max-attempts", "2"));
        Path input = Files.write(dir.resolve("rows.jsonl"), List.of(
                "{\"id\":\"m1\",\"prompt\":\"q1\",\"analysis_models\":[\"sim/alpha\",\"sim/always-500\"],\"model\":\"sim/judge\"}",
                "{\"id\":\"m2\",\"prompt\":\"q2\",\"analysis_models\":[\"sim/beta\"],\"model\":\"sim/judge\"}"));
        Topics topics = Topics.withDefaultPrefix();
        Map<String, Set<String>> exported;
        try (var kafka = KafkaTestCluster.start();
             MetricsEndpoint metrics = MetricsEndpoint.start(0);
             Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of("fusion.simulator.latency-ms", "5")));
             var client = ModelCalls.open(ProviderRoutes.single("simulator", simulator.baseUrl(), null), config, Metrics.globalRegistry);
             FusionApp app = FusionApp.start(FusionApp.Settings.embedded(kafka.bootstrapServers(), dir.resolve("streams")), topics,
                     config.pipeline(), client, config.capacity())) {
            metrics.watch(app.streams());
            new BulkRun(kafka.bootstrapServers(), topics, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    Duration.ofSeconds(5)).run(input, dir.resolve("results.jsonl"));

            // Kafka clients add per-partition meters as they fetch: wait for the scrape to hold what the dashboard asks
            exported = org.awaitility.Awaitility.await("a scrape with every series the dashboard asks for").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> exportedSeries(get(metrics.port(), MetricsEndpoint.PATH).body()), e -> covers(e, wanted));

            assertThat(get(metrics.port(), MetricsEndpoint.HEALTH_PATH).statusCode()).isEqualTo(200);
            List<String> check = new ArrayList<>(texts(compose().get("services").get("fusion").get("healthcheck").get("test")));
            check = check.subList(1, check.size()).stream().map(a -> a.replace("/9404 ", "/" + metrics.port() + " ")).toList();
            Process probe = new ProcessBuilder(check).redirectErrorStream(true).start();
            assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(probe.exitValue()).as("the compose healthcheck's command against the running app").isZero();
        }
        for (var want : wanted.entrySet()) {
            assertThat(exported).as("exported metrics").containsKey(want.getKey());
            assertThat(exported.get(want.getKey())).as("labels of " + want.getKey() + " that the dashboard uses").containsAll(want.getValue());
        }
    }

    private static boolean covers(Map<String, Set<String>> exported, Map<String, Set<String>> wanted) {
        return wanted.entrySet().stream().allMatch(w -> exported.containsKey(w.getKey()) && exported.get(w.getKey()).containsAll(w.getValue()));
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Prometheus text: each series' name, with the label names it carries. */
    static Map<String, Set<String>> exportedSeries(String scrape) {
        Map<String, Set<String>> out = new HashMap<>();
        Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");
        for (String line : scrape.lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
            Set<String> labels = out.computeIfAbsent(name, n -> new HashSet<>());
            if (brace >= 0 && brace < space) {
                Matcher m = label.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
                while (m.find()) labels.add(m.group(1));
            }
        }
        return out;
    }

    /** Every PromQL expression of the dashboard: its panels' targets and its query variables. */
    static List<String> expressions(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.path("targets")) out.add(target.get("expr").asText());
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (!variable.path("type").asText().equals("query")) continue;
            Matcher m = Pattern.compile("label_values\\(([^,]+),\\s*([^)]+)\\)").matcher(variable.get("query").get("query").asText());
            assertThat(m.matches()).as(variable.get("name").asText()).isTrue();
            out.add("max by (" + m.group(2).trim() + ") (" + m.group(1).trim() + ")");
        }
        return out;
    }

    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
            "and", "or", "unless");

    /** The metric names of a PromQL expression: identifiers that are not functions, keywords, label names or strings. */
    static Set<String> metricNames(String expr) {
        String bare = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(bare);
        while (m.find()) {
            String rest = bare.substring(m.end()).stripLeading();
            if (rest.startsWith("(") || PROMQL_WORDS.contains(m.group())) continue;
            names.add(m.group());
        }
        return names;
    }

    /** Label names an expression groups by or matches on. */
    static Set<String> labelsOf(String expr) {
        Set<String> labels = new TreeSet<>();
        Matcher grouping = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)").matcher(expr);
        while (grouping.find()) {
            for (String l : grouping.group(1).split(",")) if (!l.isBlank()) labels.add(l.trim());
        }
        Matcher matchers = Pattern.compile("\\{([^}]*)}").matcher(expr.replaceAll("\\$\\{[^}]*}", ""));
        while (matchers.find()) {
            Matcher name = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)").matcher(matchers.group(1));
            while (name.find()) labels.add(name.group(1));
        }
        return labels;
    }

    private static JsonNode compose() throws Exception {
        return YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
    }

    private static JsonNode dashboard() throws Exception {
        return JSON.readTree(ROOT.resolve("deploy/grafana/dashboards/fusion.json").toFile());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** depends_on is a list of names or a map from name to condition. */
    private static List<String> names(JsonNode dependsOn) {
        List<String> out = new ArrayList<>();
        if (dependsOn == null) return out;
        if (dependsOn.isArray()) dependsOn.forEach(n -> out.add(n.asText()));
        else dependsOn.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
