package fusion.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The README's settings tables and the shipped configs, against the connectors' own ConfigDefs. */
class ConnectorDocsTest {
    /** A ConfigDef as the README's table: setting, type, default, importance, what it does. */
    static String table(ConfigDef config) {
        StringBuilder out = new StringBuilder("| setting | type | default | importance | what it does |\n| --- | --- | --- | --- | --- |\n");
        config.configKeys().values().stream().filter(k -> !k.internalConfig).forEach(k -> {
            String fallback = !k.hasDefault() ? "required" : k.defaultValue == null || "".equals(k.defaultValue) ? "empty"
                    : "`" + ConfigDef.convertToString(k.defaultValue, k.type) + "`";
            out.append("| `").append(k.name).append("` | ").append(k.type.name().toLowerCase(Locale.ROOT)).append(" | ").append(fallback)
                    .append(" | ").append(k.importance.name().toLowerCase(Locale.ROOT)).append(" | ").append(k.documentation).append(" |\n");
        });
        return out.toString();
    }

    @Test
    @DisplayName("the README lists every setting of both connectors with the type, default and doc their ConfigDefs give")
    void readmeTablesAreTheConfigDefs() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        assertThat(readme).as("the dataset source's table").contains(table(DatasetSourceConfig.CONFIG));
        assertThat(readme).as("the results sink's table").contains(table(ResultsSinkConfig.CONFIG));
    }

    @Test
    @DisplayName("each shipped config (.properties and .json alike) is valid for its connector, and both forms say the same")
    void shippedConfigsAreValid() throws Exception {
        for (String name : new String[] {"fusion-dataset-source", "fusion-results-sink"}) {
            Map<String, String> properties = ShippedConfig.properties(name + ".properties");
            assertThat(ShippedConfig.json(name + ".json")).as(name + ".json").isEqualTo(properties);
            Config validated = name.contains("source") ? new DatasetSourceConnector().validate(properties)
                    : new ResultsSinkConnector().validate(properties);
            for (ConfigValue v : validated.configValues()) assertThat(v.errorMessages()).as(name + " " + v.name()).isEmpty();
        }
    }
}
