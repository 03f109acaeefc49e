package fusion.intake;

import java.util.List;
import java.util.Map;

/**
 * A named panel and judge, as OpenRouter's fusion plugin offers them: a request names one with
 * {@code preset}, and its own {@code analysis_models} and {@code model} still win.
 */
public record Preset(String name, List<String> panelModels, String judgeModel) {
    public static final String HIGH = "general-high";
    public static final String BUDGET = "general-budget";
    public static final String FAST = "general-fast";

    public Preset {
        panelModels = List.copyOf(panelModels);
    }

    /**
     * The built-in presets. general-high is the spec's quality preset; budget and fast trade depth
     * for price and speed. Each can be redefined with fusion.preset.&lt;name&gt;.models and .judge.
     */
    public static Map<String, Preset> standard() {
        return Map.of(
                HIGH, new Preset(HIGH, List.of("~anthropic/claude-opus-latest", "~openai/gpt-latest", "~google/gemini-pro-latest"),
                        "~anthropic/claude-opus-latest"),
                BUDGET, new Preset(BUDGET, List.of("~google/gemini-flash-latest", "deepseek/deepseek-v3.2", "~moonshotai/kimi-latest"),
                        "~google/gemini-flash-latest"),
                FAST, new Preset(FAST, List.of("~google/gemini-flash-latest", "~openai/gpt-mini-latest", "~anthropic/claude-haiku-latest"),
                        "~google/gemini-flash-latest"));
    }
}
