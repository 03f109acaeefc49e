package fusion.model;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One OpenAI-compatible chat-completions endpoint.
 *
 * @param name             short name used in configuration keys and logs, e.g. {@code openrouter}
 * @param baseUrl          the API root; requests go to {@code {baseUrl}/chat/completions}
 * @param apiKey           the resolved secret, or null when none is set; never printed by {@link #toString()}
 * @param apiKeyEnv        the environment variable the key was looked up in, or null; only used to tell people how to fix a missing key
 * @param headers          extra headers sent with every request (e.g. {@code X-Title})
 * @param modelPrefixes    model-id prefixes routed to this provider, e.g. {@code ollama/}
 * @param stripPrefix      send the model id without the matched prefix ({@code ollama/llama3} → {@code llama3})
 * @param structuredOutput whether the endpoint accepts {@code response_format} (json_schema)
 * @param serverTools      whether the endpoint runs OpenRouter's server tools ({@code openrouter:web_search},
 *                         {@code openrouter:web_fetch}) named in a call's {@code tools}
 * @param apiKeyRequired   whether calls need a key ({@code fusion.provider.<name>.api-key-required}); null: only when
 *                         the base URL is not on loopback (see {@link #requiresApiKey()})
 */
public record ProviderConfig(
        String name,
        URI baseUrl,
        String apiKey,
        String apiKeyEnv,
        Map<String, String> headers,
        List<String> modelPrefixes,
        boolean stripPrefix,
        boolean structuredOutput,
        boolean serverTools,
        Boolean apiKeyRequired) {

    private static final String REDACTED = "***";

    public ProviderConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseUrl, "baseUrl");
        baseUrl = withoutTrailingSlash(baseUrl);
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
        // LinkedHashMap keeps the configured order, which makes logs and toString stable
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        modelPrefixes = modelPrefixes == null ? List.of() : List.copyOf(modelPrefixes);
    }

    /** Whether a key is needed decided by the base URL alone; kept so code written before {@code apiKeyRequired} still compiles. */
    public ProviderConfig(String name, URI baseUrl, String apiKey, String apiKeyEnv, Map<String, String> headers, List<String> modelPrefixes,
                          boolean stripPrefix, boolean structuredOutput, boolean serverTools) {
        this(name, baseUrl, apiKey, apiKeyEnv, headers, modelPrefixes, stripPrefix, structuredOutput, serverTools, null);
    }

    /** A provider with no prefixes, structured output on, and the given key. */
    public static ProviderConfig of(String name, String baseUrl, String apiKey) {
        return new ProviderConfig(name, URI.create(baseUrl), apiKey, null, Map.of(), List.of(), false, true, false, null);
    }

    /** Where chat completions are posted. */
    public URI chatCompletionsUri() {
        return URI.create(baseUrl + "/chat/completions");
    }

    /**
     * Whether calls need a key: as configured by {@code api-key-required}, else unless the base URL
     * is on this machine ({@code localhost}, {@code 127.x.x.x}, {@code [::1]}: a local Ollama, vLLM or
     * the simulator, which usually have no authentication). A remote endpoint needs one whatever its
     * scheme: without it every call would only come back 401.
     */
    public boolean requiresApiKey() {
        return apiKeyRequired != null ? apiKeyRequired : !onLoopback(baseUrl);
    }

    /** Judged from the URL's text alone, never by a DNS lookup. */
    static boolean onLoopback(URI uri) {
        String host = uri.getHost();
        if (host == null) return false;
        host = host.toLowerCase(Locale.ROOT);
        return host.equals("localhost") || host.endsWith(".localhost") || host.equals("[::1]") || host.equals("::1")
                || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    /** Whether calls can be made: a key is set, or none is needed. */
    public boolean usable() {
        return apiKey != null || !requiresApiKey();
    }

    /** How to give this provider a key, for error messages. */
    public String apiKeyHint() {
        String property = apiKeyProperty();
        return apiKeyEnv == null ? "set " + property : "set " + apiKeyEnv + " (or " + property + ")";
    }

    /** Where this provider's key is set: its environment variable, else its {@code api-key} property. Never the key. */
    public String apiKeySetting() {
        return apiKeyEnv != null ? apiKeyEnv : apiKeyProperty();
    }

    private String apiKeyProperty() {
        return "fusion.provider." + name + ".api-key";
    }

    /** The longest of this provider's prefixes that {@code model} starts with, or null. */
    public String matchingPrefix(String model) {
        String best = null;
        for (String prefix : modelPrefixes) {
            if (model.startsWith(prefix) && (best == null || prefix.length() > best.length())) best = prefix;
        }
        return best;
    }

    /** The model id as this provider expects it on the wire. */
    public String wireModel(String model) {
        if (!stripPrefix) return model;
        String prefix = matchingPrefix(model);
        return prefix == null || prefix.length() == model.length() ? model : model.substring(prefix.length());
    }

    /** Removes this provider's key from text that may echo it (an error body, an exception message). */
    public String redact(String text) {
        if (text == null || apiKey == null) return text;
        return text.replace(apiKey, REDACTED);
    }

    @Override
    public String toString() {
        Map<String, String> shownHeaders = new LinkedHashMap<>();
        headers.forEach((k, v) -> shownHeaders.put(k, looksSecret(k) ? REDACTED : v));
        return "ProviderConfig[name=" + name
                + ", baseUrl=" + baseUrl
                + ", apiKey=" + (apiKey == null ? "none" : REDACTED)
                + ", apiKeyEnv=" + apiKeyEnv
                + ", headers=" + shownHeaders
                + ", modelPrefixes=" + modelPrefixes
                + ", stripPrefix=" + stripPrefix
                + ", structuredOutput=" + structuredOutput + ", serverTools=" + serverTools + ", apiKeyRequired=" + apiKeyRequired + "]";
    }

    /** Extra headers can carry credentials too (Azure's api-key, custom auth), so hide those values. */
    private static boolean looksSecret(String headerName) {
        String n = headerName.toLowerCase(Locale.ROOT);
        return n.contains("auth") || n.contains("key") || n.contains("token") || n.contains("secret");
    }

    private static URI withoutTrailingSlash(URI uri) {
        String s = uri.toString();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return URI.create(s);
    }
}
