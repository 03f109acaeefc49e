package fusion.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Reads {@code fusion.providers} and {@code fusion.provider.<name>.*} into {@link ProviderRoutes}. */
final class ProviderProperties {
    static final String PROVIDERS = "fusion.providers";
    static final String PROVIDER_PREFIX = "fusion.provider.";
    static final String DEFAULT = "fusion.provider.default";

    static final String OPENROUTER = "openrouter";
    static final String OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1";
    static final String OPENROUTER_KEY_ENV = "OPENROUTER_API_KEY";

    private static final String BASE_URL = "base-url";
    private static final String API_KEY = "api-key";
    private static final String API_KEY_ENV = "api-key-env";
    private static final String API_KEY_REQUIRED = "api-key-required";
    private static final String MODELS = "models";
    private static final String STRIP_PREFIX = "strip-prefix";
    private static final String STRUCTURED_OUTPUT = "structured-output";
    private static final String SERVER_TOOLS = "server-tools";
    private static final String HEADER = "header.";
    /** Call limits; accepted here so they are not rejected as typos, read by {@code fusion.model.resilience.ResilienceConfig}. */
    private static final Set<String> LIMIT_SETTINGS = Set.of("max-in-flight", "requests-per-minute", "tokens-per-minute");
    private static final Set<String> SETTINGS = Set.of(BASE_URL, API_KEY, API_KEY_ENV, API_KEY_REQUIRED, MODELS, STRIP_PREFIX, STRUCTURED_OUTPUT, SERVER_TOOLS);
    private static final String KNOWN_SETTINGS = "base-url, api-key, api-key-env, api-key-required, models, strip-prefix, structured-output, server-tools, header.<Name>, "
            + "max-in-flight, requests-per-minute, tokens-per-minute";

    private static final Pattern PROVIDER_NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Headers the JDK HTTP client refuses to let callers set; better to say so at startup than fail every call. */
    private static final Set<String> RESTRICTED_HEADERS = Set.of("connection", "content-length", "expect", "host", "upgrade");

    private ProviderProperties() {}

    static ProviderRoutes parse(Map<String, String> properties, Function<String, String> env) {
        List<String> names = providerNames(properties);
        Map<String, Map<String, String>> settings = settingsByProvider(properties, names);
        List<ProviderConfig> providers = new ArrayList<>();
        for (String name : names) {
            providers.add(provider(name, settings.getOrDefault(name, Map.of()), env));
        }
        return new ProviderRoutes(providers, defaultProvider(properties, names));
    }

    private static List<String> providerNames(Map<String, String> properties) {
        String listed = value(properties, PROVIDERS);
        if (listed == null) return List.of(OPENROUTER);
        List<String> names = splitList(listed);
        if (names.isEmpty()) {
            throw new ProviderConfigException(PROVIDERS + " is empty; list at least one provider, e.g. " + PROVIDERS + "=" + OPENROUTER);
        }
        for (String name : names) {
            if (!PROVIDER_NAME.matcher(name).matches() || name.equals("default")) {
                throw new ProviderConfigException(PROVIDERS + " contains '" + name
                        + "', which is not a usable provider name; use letters, digits, '-' or '_' (and not 'default')");
            }
            if (names.indexOf(name) != names.lastIndexOf(name)) {
                throw new ProviderConfigException(PROVIDERS + " lists '" + name + "' twice; list each provider once");
            }
        }
        return names;
    }

    /** Missing: openrouter when listed, else the first provider. Present but blank: no default at all. */
    private static String defaultProvider(Map<String, String> properties, List<String> names) {
        if (!properties.containsKey(DEFAULT) || properties.get(DEFAULT) == null) {
            return names.contains(OPENROUTER) ? OPENROUTER : names.get(0);
        }
        String configured = properties.get(DEFAULT).strip();
        return configured.isEmpty() ? null : configured;
    }

    /** Groups {@code fusion.provider.<name>.<setting>} by provider, rejecting typos instead of silently ignoring them. */
    private static Map<String, Map<String, String>> settingsByProvider(Map<String, String> properties, List<String> names) {
        Map<String, Map<String, String>> byProvider = new LinkedHashMap<>();
        // sorted so the first error reported does not depend on map iteration order
        for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(PROVIDER_PREFIX) || key.equals(DEFAULT) || e.getValue() == null) continue;
            String rest = key.substring(PROVIDER_PREFIX.length());
            int dot = rest.indexOf('.');
            if (dot <= 0 || dot == rest.length() - 1) {
                throw new ProviderConfigException("unknown property " + key + "; provider settings look like "
                        + PROVIDER_PREFIX + "<name>.<setting> with <setting> one of " + KNOWN_SETTINGS);
            }
            String name = rest.substring(0, dot);
            String setting = rest.substring(dot + 1);
            if (!names.contains(name)) {
                throw new ProviderConfigException(key + " configures provider '" + name + "', which is not listed in "
                        + PROVIDERS + " (" + String.join(",", names) + "); add it there or fix the name");
            }
            if (LIMIT_SETTINGS.contains(setting)) continue;
            if (!SETTINGS.contains(setting) && !setting.startsWith(HEADER)) {
                throw new ProviderConfigException("unknown property " + key + "; known settings are " + KNOWN_SETTINGS);
            }
            byProvider.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(setting, e.getValue().strip());
        }
        return byProvider;
    }

    private static ProviderConfig provider(String name, Map<String, String> settings, Function<String, String> env) {
        boolean openrouter = name.equals(OPENROUTER);
        URI baseUrl = baseUrl(name, settings.getOrDefault(BASE_URL, openrouter ? OPENROUTER_BASE_URL : null));

        String keyEnv = settings.getOrDefault(API_KEY_ENV, openrouter ? OPENROUTER_KEY_ENV : null);
        if (keyEnv != null && !ENV_NAME.matcher(keyEnv).matches()) {
            // never echo the value: a common mistake is pasting the key itself here
            throw new ProviderConfigException(property(name, API_KEY_ENV) + " must name an environment variable such as "
                    + OPENROUTER_KEY_ENV + "; to give the key itself use " + property(name, API_KEY));
        }
        String apiKey = settings.get(API_KEY);
        if ((apiKey == null || apiKey.isBlank()) && keyEnv != null) apiKey = env.apply(keyEnv);

        Map<String, String> headers = new LinkedHashMap<>();
        settings.forEach((setting, value) -> {
            if (setting.startsWith(HEADER)) headers.put(headerName(name, setting.substring(HEADER.length())), value);
        });

        return new ProviderConfig(
                name,
                baseUrl,
                apiKey,
                keyEnv,
                headers,
                splitList(settings.getOrDefault(MODELS, "")),
                bool(name, STRIP_PREFIX, settings.get(STRIP_PREFIX), false),
                bool(name, STRUCTURED_OUTPUT, settings.get(STRUCTURED_OUTPUT), true),
                // OpenRouter runs web search and fetch itself; elsewhere a model answers from what it knows
                bool(name, SERVER_TOOLS, settings.get(SERVER_TOOLS), openrouter),
                // unset: a key is needed unless the base URL is on loopback
                settings.get(API_KEY_REQUIRED) == null || settings.get(API_KEY_REQUIRED).isEmpty() ? null
                        : bool(name, API_KEY_REQUIRED, settings.get(API_KEY_REQUIRED), true));
    }

    private static URI baseUrl(String name, String text) {
        String property = property(name, BASE_URL);
        String example = "e.g. " + property + "=http://localhost:11434/v1";
        if (text == null || text.isEmpty()) {
            throw new ProviderConfigException(property + " is not set; set it to the provider's OpenAI-compatible API root, " + example);
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ProviderConfigException(property + "='" + text + "' is not a URL (" + e.getReason() + "); " + example);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ProviderConfigException(property + "='" + text + "' is not an http(s) URL; " + example);
        }
        if (uri.getHost() == null) {
            throw new ProviderConfigException(property + "='" + text + "' has no host; " + example);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ProviderConfigException(property + "='" + text + "' must not have a query or fragment; "
                    + "give only the API root, /chat/completions is added");
        }
        return uri;
    }

    private static String headerName(String provider, String header) {
        String property = property(provider, HEADER + header);
        if (!HEADER_NAME.matcher(header).matches()) {
            throw new ProviderConfigException(property + ": '" + header + "' is not a valid HTTP header name");
        }
        if (RESTRICTED_HEADERS.contains(header.toLowerCase(Locale.ROOT))) {
            throw new ProviderConfigException(property + ": the " + header + " header is set by the HTTP client and cannot be configured; remove it");
        }
        return header;
    }

    private static boolean bool(String provider, String setting, String text, boolean fallback) {
        if (text == null || text.isEmpty()) return fallback;
        if (text.equalsIgnoreCase("true")) return true;
        if (text.equalsIgnoreCase("false")) return false;
        throw new ProviderConfigException(property(provider, setting) + "='" + text + "' is not a boolean; use true or false");
    }

    private static String property(String provider, String setting) {
        return PROVIDER_PREFIX + provider + "." + setting;
    }

    private static String value(Map<String, String> properties, String key) {
        String v = properties.get(key);
        return v == null ? null : v.strip();
    }

    private static List<String> splitList(String text) {
        return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
