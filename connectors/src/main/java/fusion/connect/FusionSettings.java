package fusion.connect;

import fusion.runtime.FusionConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;

/** A connector's fusion.* settings, read as the pipeline reads them, so each means in a connector what it means everywhere. */
final class FusionSettings {
    private FusionSettings() {}

    static FusionConfig of(AbstractConfig config) {
        Map<String, String> settings = new HashMap<>();
        config.originalsStrings().forEach((k, v) -> {
            if (k.startsWith("fusion.") && v != null) settings.put(k, v);
        });
        return new FusionConfig(settings);
    }
}
