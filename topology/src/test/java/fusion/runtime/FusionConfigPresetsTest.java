package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fusion.intake.Preset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FusionConfigPresetsTest {
    @Test
    @DisplayName("fusion.preset.<name>.models and .judge redefine a built-in preset and add new ones")
    void presetsFromProperties() {
        FusionConfig config = new FusionConfig(Map.of(
                "fusion.preset.general-fast.models", "a/one, a/two",
                "fusion.preset.general-fast.judge", "a/judge",
                "fusion.preset.local.models", "llama3.1,qwen2.5",
                "fusion.preset.local.judge", "llama3.1"));

        Map<String, Preset> presets = config.presets();

        assertThat(presets.get("general-fast")).isEqualTo(new Preset("general-fast", List.of("a/one", "a/two"), "a/judge"));
        assertThat(presets.get("local").panelModels()).containsExactly("llama3.1", "qwen2.5");
        assertThat(presets.get("general-high")).isEqualTo(Preset.standard().get("general-high"));
        assertThat(config.pipeline().requestDefaults().presets()).containsKeys("local", "general-budget");
    }

    @Test
    @DisplayName("a new preset without a judge, or a misspelt preset key → an error naming the key and the fix")
    void badPresetSettings() {
        assertThatThrownBy(() -> new FusionConfig(Map.of("fusion.preset.mine.models", "a/one")).presets())
                .hasMessageContaining("fusion.preset.mine.judge");
        assertThatThrownBy(() -> new FusionConfig(Map.of("fusion.preset.mine.panel", "a/one")).presets())
                .hasMessageContaining("fusion.preset.mine.panel is not a preset setting");
    }
}
