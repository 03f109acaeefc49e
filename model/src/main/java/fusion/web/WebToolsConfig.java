package fusion.web;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The settings of our own web tools, read from {@code fusion.web-fetch.*} and {@code fusion.web-search.*}.
 *
 * <table>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code fusion.web-fetch.allow}</td><td>empty</td><td>comma-separated exact {@code host:port} entries
 *     (IPv6 as {@code [::1]:8080}) that skip the address, name and port checks: tests, intranets</td></tr>
 * <tr><td>{@code fusion.web-fetch.ports}</td><td>{@code 80,443}</td><td>ports other hosts may be fetched on</td></tr>
 * <tr><td>{@code fusion.web-fetch.max-bytes}</td><td>2000000</td><td>body bytes read per page</td></tr>
 * <tr><td>{@code fusion.web-fetch.timeout-ms}</td><td>15000</td><td>a whole fetch, redirects included</td></tr>
 * <tr><td>{@code fusion.web-fetch.max-redirects}</td><td>5</td><td>redirect hops followed, each checked again</td></tr>
 * <tr><td>{@code fusion.web-fetch.max-chars}</td><td>20000</td><td>characters of page text handed to the model</td></tr>
 * <tr><td>{@code fusion.web-search.backend}</td><td>{@code none}</td><td>{@code searxng}, {@code brave}, {@code tavily} or {@code none}</td></tr>
 * <tr><td>{@code fusion.web-search.url}</td><td>Brave's or Tavily's API</td><td>the backend's endpoint; required for searxng</td></tr>
 * <tr><td>{@code fusion.web-search.api-key-env}</td><td>{@code BRAVE_API_KEY} / {@code TAVILY_API_KEY}</td><td>the environment variable holding the key</td></tr>
 * <tr><td>{@code fusion.web-search.api-key}</td><td>none</td><td>the key itself, when no environment variable can be used</td></tr>
 * <tr><td>{@code fusion.web-search.max-results}</td><td>5</td><td>hits per search, 1-20</td></tr>
 * <tr><td>{@code fusion.web-search.timeout-ms}</td><td>10000</td><td>one search call</td></tr>
 * </table>
 *
 * @param apiKey never printed by {@link #toString()}
 */
public record WebToolsConfig(Set<String> allow, Set<Integer> ports, long maxBytes, Duration fetchTimeout, int maxRedirects, int maxChars,
                             String backend, URI searchUrl, String apiKey, int maxResults, Duration searchTimeout) {

    public static final String ALLOW = "fusion.web-fetch.allow";
    public static final String PORTS = "fusion.web-fetch.ports";
    public static final String MAX_BYTES = "fusion.web-fetch.max-bytes";
    public static final String FETCH_TIMEOUT = "fusion.web-fetch.timeout-ms";
    public static final String MAX_REDIRECTS = "fusion.web-fetch.max-redirects";
    public static final String MAX_CHARS = "fusion.web-fetch.max-chars";
    public static final String BACKEND = "fusion.web-search.backend";
    public static final String SEARCH_URL = "fusion.web-search.url";
    public static final String API_KEY_ENV = "fusion.web-search.api-key-env";
    public static final String API_KEY = "fusion.web-search.api-key";
    public static final String MAX_RESULTS = "fusion.web-search.max-results";
    public static final String SEARCH_TIMEOUT = "fusion.web-search.timeout-ms";

    public static final String NONE = "none";
    private static final Set<String> BACKENDS = Set.of(NONE, "searxng", "brave", "tavily");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** Canonical host (lower case, or a bracketed IPv6 literal) and a port. */
    private static final Pattern ALLOW_ENTRY = Pattern.compile("(?:\\[[0-9a-f:.]+]|[a-z0-9_.-]+):[0-9]{1,5}");

    public WebToolsConfig {
        allow = Set.copyOf(allow);
        ports = Set.copyOf(ports);
    }

    /** No allowlist, no search backend: what a run gets when it configures nothing. */
    public static WebToolsConfig defaults() {
        return parse(Map.of(), name -> null);
    }

    public static WebToolsConfig parse(Map<String, String> settings, Function<String, String> env) {
        String backend = text(settings, BACKEND, NONE).toLowerCase(Locale.ROOT);
        if (!BACKENDS.contains(backend)) {
            throw new WebToolsConfigException(BACKEND + "=" + backend + " is not a search backend; use searxng, brave, tavily or none");
        }
        return new WebToolsConfig(allow(settings), ports(settings),
                number(settings, MAX_BYTES, 2_000_000, 1_000, 100_000_000),
                Duration.ofMillis(number(settings, FETCH_TIMEOUT, 15_000, 100, 600_000)),
                (int) number(settings, MAX_REDIRECTS, 5, 0, 20),
                (int) number(settings, MAX_CHARS, 20_000, 100, 1_000_000),
                backend, searchUrl(settings, backend), apiKey(settings, backend, env),
                (int) number(settings, MAX_RESULTS, 5, 1, 20),
                Duration.ofMillis(number(settings, SEARCH_TIMEOUT, 10_000, 100, 600_000)));
    }

    public boolean searchConfigured() {
        return !backend.equals(NONE);
    }

    private static Set<String> allow(Map<String, String> settings) {
        Set<String> entries = new LinkedHashSet<>();
        for (String raw : list(settings, ALLOW)) {
            String entry = raw.toLowerCase(Locale.ROOT);
            if (!ALLOW_ENTRY.matcher(entry).matches()) {
                throw new WebToolsConfigException(ALLOW + ": '" + raw + "' is not host:port; write exact entries such as 127.0.0.1:8080 or [::1]:8080");
            }
            try {
                // the same canonical form a fetched URL gets, so "[::1]:8080", "LOCALHOST.:8080" and "0x7f000001:8080" match
                entries.add(FetchTarget.parse("http://" + entry + "/").hostAndPort());
            } catch (FetchRefusal e) {
                throw new WebToolsConfigException(ALLOW + ": '" + raw + "' is not a usable host:port (" + e.getMessage() + ")");
            }
        }
        return entries;
    }

    private static Set<Integer> ports(Map<String, String> settings) {
        String listed = text(settings, PORTS, "80,443");
        Set<Integer> ports = new LinkedHashSet<>();
        for (String raw : list(Map.of(PORTS, listed), PORTS)) {
            try {
                int port = Integer.parseInt(raw);
                if (port < 1 || port > 65535) throw new NumberFormatException();
                ports.add(port);
            } catch (NumberFormatException e) {
                throw new WebToolsConfigException(PORTS + ": '" + raw + "' is not a port; list ports 1-65535 separated by commas, e.g. 80,443");
            }
        }
        return ports;
    }

    private static URI searchUrl(Map<String, String> settings, String backend) {
        String fallback = switch (backend) {
            case "brave" -> BraveSearch.DEFAULT_URL;
            case "tavily" -> TavilySearch.DEFAULT_URL;
            default -> null;
        };
        String url = text(settings, SEARCH_URL, fallback);
        if (url == null) {
            if (backend.equals("searxng")) {
                throw new WebToolsConfigException(SEARCH_URL + " is required for " + BACKEND + "=searxng; set it to the instance's root, e.g. http://127.0.0.1:8888");
            }
            return null;
        }
        try {
            URI uri = new URI(url);
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                throw new URISyntaxException(url, "not an http(s) URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new WebToolsConfigException(SEARCH_URL + "=" + url + " is not an http(s) URL; write e.g. https://search.example.org");
        }
    }

    private static String apiKey(Map<String, String> settings, String backend, Function<String, String> env) {
        if (backend.equals(NONE) || backend.equals("searxng")) return text(settings, API_KEY, null);
        String literal = text(settings, API_KEY, null);
        if (literal != null) return literal;
        String variable = text(settings, API_KEY_ENV, backend.equals("brave") ? "BRAVE_API_KEY" : "TAVILY_API_KEY");
        if (!ENV_NAME.matcher(variable).matches()) {
            throw new WebToolsConfigException(API_KEY_ENV + "=" + variable + " is not an environment variable name");
        }
        String key = env.apply(variable);
        if (key == null || key.isBlank()) {
            throw new WebToolsConfigException(BACKEND + "=" + backend + " needs an API key: set the environment variable " + variable
                    + " (or name another one with " + API_KEY_ENV + ")");
        }
        return key.strip();
    }

    private static String text(Map<String, String> settings, String key, String fallback) {
        String value = settings.get(key);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    private static java.util.List<String> list(Map<String, String> settings, String key) {
        String value = text(settings, key, "");
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static long number(Map<String, String> settings, String key, long fallback, long min, long max) {
        String value = text(settings, key, null);
        if (value == null) return fallback;
        try {
            long n = Long.parseLong(value);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new WebToolsConfigException(key + "=" + value + " must be a whole number from " + min + " to " + max);
    }

    @Override
    public String toString() {
        return "WebToolsConfig[allow=" + allow + ", ports=" + ports + ", backend=" + backend + ", searchUrl=" + searchUrl
                + ", apiKey=" + (apiKey == null ? "none" : "***") + ", maxResults=" + maxResults + "]";
    }
}
