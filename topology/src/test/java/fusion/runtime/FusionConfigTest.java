package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where settings come from (file, environment, --set) and how kafka.* settings reach the Kafka clients. */
class FusionConfigTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("FUSION_* and KAFKA_* variables are settings: lower case, _ for a dot, __ for a dash; launcher and other variables are not")
    void environmentNames() {
        Map<String, String> settings = FusionConfig.fromEnvironment(Map.of(
                "FUSION_CALLS_MAX__IN__FLIGHT", "64",
                "FUSION_PROVIDER_OPENROUTER_API__KEY__ENV", "MY_KEY",
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required;",
                "FUSION_JAVA_OPTS", "-Xmx2g",
                "KAFKA_HOME", "/opt/kafka",
                "KAFKA_HEAP_OPTS", "-Xmx1g",
                "PATH", "/usr/bin",
                "OPENROUTER_API_KEY", "sk-or-secret"));

        assertThat(settings).containsOnly(
                entry("fusion.calls.max-in-flight", "64"),
                entry("fusion.provider.openrouter.api-key-env", "MY_KEY"),
                entry("kafka.security.protocol", "SASL_SSL"),
                entry("kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required;"));
    }

    @Test
    @DisplayName("fusion.tools.default: both web tools when unset, none for 'none', a named subset, and a clear error for an unknown tool")
    void defaultTools() throws Exception {
        assertThat(FusionConfig.load(null, Map.of(), Map.of()).pipeline().requestDefaults().tools()).containsExactly("web_search", "web_fetch");
        assertThat(FusionConfig.load(null, Map.of(), Map.of("fusion.tools.default", "none")).pipeline().requestDefaults().tools()).isEmpty();
        assertThat(FusionConfig.load(null, Map.of(), Map.of("fusion.tools.default", "web_fetch")).defaultTools()).containsExactly("web_fetch");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FusionConfig.load(null, Map.of(), Map.of("fusion.tools.default", "code")).defaultTools())
                .hasMessageContaining("fusion.tools.default lists 'code'").hasMessageContaining("none");
    }

    @Test
    @DisplayName("the file gives way to the environment, and both to --set")
    void precedence() throws Exception {
        Path file = dir.resolve("fusion.properties");
        Files.writeString(file, String.join("\n",
                "fusion.application-id=from-file",
                "fusion.partitions=4",
                "fusion.calls.max-in-flight=100",
                "kafka.client.id=from-file",
                "kafka.security.protocol=PLAINTEXT"));

        FusionConfig config = FusionConfig.load(file,
                Map.of("FUSION_PARTITIONS", "6", "FUSION_CALLS_MAX__IN__FLIGHT", "200", "KAFKA_CLIENT_ID", "from-env"),
                Map.of("fusion.partitions", "8"));

        assertThat(config.string("fusion.application-id", null)).isEqualTo("from-file");
        assertThat(config.integer("fusion.partitions", 0)).isEqualTo(8);
        assertThat(config.integer("fusion.calls.max-in-flight", 0)).isEqualTo(200);
        assertThat(config.under("kafka.")).containsOnly(entry("client.id", "from-env"), entry("security.protocol", "PLAINTEXT"));
    }

    @Test
    @DisplayName("kafka.* settings reach submit's, collect's and status's clients without the prefix; --bootstrap-servers wins")
    void clientSettings() {
        FusionConfig config = new FusionConfig(Map.of(
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.mechanism", "PLAIN",
                "kafka.bootstrap.servers", "elsewhere:9092",
                "fusion.partitions", "3"));

        assertThat(config.kafkaClient("broker:9092")).containsOnly(
                entry("bootstrap.servers", "broker:9092"),
                entry("security.protocol", "SASL_SSL"),
                entry("sasl.mechanism", "PLAIN"));
    }

    @Test
    @DisplayName("kafka.* settings reach the streams app of serve; its bootstrap servers, application id and state dir are serve's own")
    void streamsSettings() {
        FusionConfig config = new FusionConfig(Map.of(
                "fusion.application-id", "fusion-prod",
                "kafka.security.protocol", "SASL_SSL",
                "kafka.client.id", "fusion-eu-1",
                "kafka.producer.compression.type", "zstd",
                "kafka.bootstrap.servers", "elsewhere:9092",
                "kafka.application.id", "other-app",
                "kafka.state.dir", "/elsewhere"));

        Properties p = FusionApp.streamsProperties(FusionApp.Settings.cluster(config, "broker:9092", dir));

        assertThat(p).contains(
                entry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092"),
                entry(StreamsConfig.APPLICATION_ID_CONFIG, "fusion-prod"),
                entry(StreamsConfig.STATE_DIR_CONFIG, dir.toString()),
                entry("security.protocol", "SASL_SSL"),
                entry("client.id", "fusion-eu-1"),
                entry("producer.compression.type", "zstd"),
                entry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2));
        StreamsConfig streams = new StreamsConfig(p);
        for (Map<String, Object> client : List.of(streams.getMainConsumerConfigs("g", "c", 0), streams.getProducerConfigs("c"),
                streams.getAdminConfigs("c"), streams.getGlobalConsumerConfigs("c"))) {
            assertThat(client).contains(entry("security.protocol", "SASL_SSL"), entry("bootstrap.servers", "broker:9092"));
        }
    }

    @Test
    @DisplayName("fusion.results.format: avro by default, json on request, anything else refused naming the setting and both values")
    void resultsFormat() {
        var avro = (fusion.topology.ResultSerde) new FusionConfig(Map.of()).topics().results().valueSerde();
        var json = (fusion.topology.ResultSerde) new FusionConfig(Map.of("fusion.results.format", "JSON")).topics().results().valueSerde();

        assertThat(avro.writesJson()).isFalse();
        assertThat(json.writesJson()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FusionConfig(Map.of("fusion.results.format", "xml")).topics())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fusion.results.format is 'xml'; it must be avro (the default) or json");
    }
}
