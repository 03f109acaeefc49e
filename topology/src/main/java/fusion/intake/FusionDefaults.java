package fusion.intake;

import java.util.List;
import java.util.Map;

/**
 * What a request gets when it leaves a parameter out, and how large it may be. The standard panel is
 * the spec's quality preset; the judge defaults to its first model, since a bulk run has no "outer
 * model" to fall back on.
 *
 * @param presets         the panels a request may name with {@code preset}
 * @param tools           the web tools of a request that names none ({@code fusion.tools.default}): both, as the spec has it,
 *                        or none for a run started with {@code --no-tools}
 * @param maxRequestBytes the largest request record, in bytes (fusion.max-request-bytes). A larger one gets
 *                        invalid_request: every record downstream carries the request, and Kafka refuses records
 *                        over its producers' max.request.size (1 MB by default), which would stop the run.
 */
public record FusionDefaults(List<String> panelModels, String judgeModel, int maxToolCalls, Map<String, Preset> presets,
                             int maxRequestBytes, List<String> tools) {
    public static final String MAX_REQUEST_BYTES_SETTING = "fusion.max-request-bytes";
    public static final int MAX_REQUEST_BYTES = 1024 * 1024;
    public static final String TOOLS_SETTING = "fusion.tools.default";
    /** The spec's web tools, on every panel and judge call unless a request or the run says otherwise. */
    public static final List<String> WEB_TOOLS = List.of("web_search", "web_fetch");

    public FusionDefaults {
        panelModels = List.copyOf(panelModels);
        tools = List.copyOf(tools);
        presets = Map.copyOf(presets);
        if (maxRequestBytes < 1) throw new IllegalArgumentException(MAX_REQUEST_BYTES_SETTING + " is " + maxRequestBytes + "; it must be at least 1");
    }

    public FusionDefaults(List<String> panelModels, String judgeModel, int maxToolCalls, Map<String, Preset> presets, int maxRequestBytes) {
        this(panelModels, judgeModel, maxToolCalls, presets, maxRequestBytes, WEB_TOOLS);
    }

    public FusionDefaults(List<String> panelModels, String judgeModel, int maxToolCalls, Map<String, Preset> presets) {
        this(panelModels, judgeModel, maxToolCalls, presets, MAX_REQUEST_BYTES);
    }

    public FusionDefaults(List<String> panelModels, String judgeModel, int maxToolCalls) {
        this(panelModels, judgeModel, maxToolCalls, Preset.standard());
    }

    public static FusionDefaults standard() {
        Preset high = Preset.standard().get(Preset.HIGH);
        return new FusionDefaults(high.panelModels(), high.judgeModel(), 8);
    }

    /** The same defaults with {@code tools} for requests that name none. */
    public FusionDefaults withTools(List<String> defaultTools) {
        return new FusionDefaults(panelModels, judgeModel, maxToolCalls, presets, maxRequestBytes, defaultTools);
    }

    /** The error of a request of {@code bytes} bytes, or null when it is within the limit. */
    public String sizeProblem(long bytes) {
        if (bytes <= maxRequestBytes) return null;
        return String.format(java.util.Locale.ROOT, "the request is %,d bytes, over the limit of %,d bytes; shorten it, or raise %s "
                + "(records over 1 MB also need the topics' max.message.bytes and kafka.max.request.size raised)",
                bytes, maxRequestBytes, MAX_REQUEST_BYTES_SETTING);
    }
}
