package fusion.intake;

import java.util.List;
import java.util.Map;

/**
 * What a request gets when it leaves a parameter out. The standard panel is the spec's quality
 * preset; the judge defaults to its first model, since a bulk run has no "outer model" to fall back on.
 *
 * @param presets the panels a request may name with {@code preset}
 */
public record FusionDefaults(List<String> panelModels, String judgeModel, int maxToolCalls, Map<String, Preset> presets) {
    public FusionDefaults {
        panelModels = List.copyOf(panelModels);
        presets = Map.copyOf(presets);
    }

    public FusionDefaults(List<String> panelModels, String judgeModel, int maxToolCalls) {
        this(panelModels, judgeModel, maxToolCalls, Preset.standard());
    }

    public static FusionDefaults standard() {
        Preset high = Preset.standard().get(Preset.HIGH);
        return new FusionDefaults(high.panelModels(), high.judgeModel(), 8);
    }
}
