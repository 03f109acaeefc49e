package fusion.intake;

import java.util.List;

/**
 * What a request gets when it leaves a parameter out. The standard panel is the spec's quality
 * preset; the judge defaults to its first model, since a bulk run has no "outer model" to fall back on.
 */
public record FusionDefaults(List<String> panelModels, String judgeModel, int maxToolCalls) {
    public FusionDefaults {
        panelModels = List.copyOf(panelModels);
    }

    public static FusionDefaults standard() {
        return new FusionDefaults(
                List.of("~anthropic/claude-opus-latest", "~openai/gpt-latest", "~google/gemini-pro-latest"),
                "~anthropic/claude-opus-latest",
                8);
    }
}
