package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import fusion.model.ProviderRoutes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml, the Dockerfile and deploy/ cannot run here (no Docker engine); this checks
 * what can be checked without one: the YAML parses and its parts fit together. ClusterCommandsTest
 * runs deploy/fusion.properties itself.
 */
class DeployFilesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    @DisplayName("docker-compose.yml parses, for compose v1 and v2; every service has a healthcheck; kafka, schema-registry, connect and the app fit together; the API key comes from the host")
    void composeFile() throws Exception {
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
        JsonNode services = compose.get("services");
        assertThat(services.fieldNames()).toIterable().containsExactlyInAnyOrder("kafka", "schema-registry", "connect", "fusion", "prometheus", "grafana");
        assertThat(compose.has("name")).as("no top-level name: docker-compose v1 rejects it").isFalse();
        assertThat(compose.has("version")).as("no version: both v1 (1.27+) and v2 then read the Compose Specification").isFalse();
        services.fields().forEachRemaining(service -> {
            JsonNode test = service.getValue().path("healthcheck").path("test");
            assertThat(test.isArray() && test.size() >= 2).as("%s has a healthcheck with a command", service.getKey()).isTrue();
            assertThat(test.get(0).asText()).as(service.getKey()).isIn("CMD", "CMD-SHELL");
        });

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
                if (volume.startsWith("./")) {
                    assertThat(ROOT.resolve(volume.substring(2, volume.indexOf(':')))).as(volume).exists();
                }
            }
            for (String dependency : names(service.get("depends_on"))) assertThat(services.has(dependency)).as(dependency).isTrue();
        }
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
        assertThat(Files.readString(ROOT.resolve("topology/pom.xml"))).contains("<finalName>fusion</finalName>", "<classpathPrefix>lib/</classpathPrefix>");
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
