package fusion.web;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web tools our tool loop runs on this machine: a guarded {@link WebFetch} and, when one is configured, a
 * {@link SearchBackend}. Built from settings ({@link WebToolsConfig}); never throws for what a call met.
 */
public final class LocalWebTools implements WebTools {
    private static final Logger log = LoggerFactory.getLogger(LocalWebTools.class);

    /** All the model learns of a refused fetch: nothing about which rule, address or network said no. */
    public static final String REFUSED = "web_fetch refused: this URL cannot be fetched from here. Only public http(s) pages can be fetched.";
    static final String NO_SEARCH = "web_search is not available: no search backend is configured.";

    private final WebFetch fetch;
    private final SearchBackend search;
    private final int maxResults;

    public LocalWebTools(WebFetch fetch, SearchBackend search, int maxResults) {
        this.fetch = fetch;
        this.search = search;
        this.maxResults = maxResults;
    }

    public static LocalWebTools from(Map<String, String> settings) {
        return from(settings, System::getenv);
    }

    /** @param env looks up environment variables (the search API key) */
    public static LocalWebTools from(Map<String, String> settings, Function<String, String> env) {
        return of(WebToolsConfig.parse(settings, env), HostResolver.system(), SocketFactory.getDefault(), (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    /** With the resolver and socket factories given, so tests can see every lookup and every connection attempt. */
    public static LocalWebTools of(WebToolsConfig config, HostResolver resolver, SocketFactory sockets, SSLSocketFactory tlsSockets) {
        FetchGuard guard = new FetchGuard(config.allow(), config.ports(), resolver);
        WebFetch fetch = new WebFetch(guard, sockets, tlsSockets,
                new WebFetch.Limits(config.maxBytes(), config.fetchTimeout(), config.maxRedirects(), config.maxChars()));
        return new LocalWebTools(fetch, backend(config), config.maxResults());
    }

    static SearchBackend backend(WebToolsConfig config) {
        if (!config.searchConfigured()) return null;
        SearchHttp http = new SearchHttp(config.searchTimeout());
        return switch (config.backend()) {
            case "searxng" -> new SearxngSearch(config.searchUrl(), http);
            case "brave" -> new BraveSearch(config.searchUrl(), config.apiKey(), http);
            case "tavily" -> new TavilySearch(config.searchUrl(), config.apiKey(), http);
            default -> throw new IllegalStateException("WebToolsConfig let an unknown backend through: " + config.backend());
        };
    }

    @Override
    public boolean searchAvailable() {
        return search != null;
    }

    @Override
    public ToolResult search(String query) {
        if (search == null) return ToolResult.refusal(NO_SEARCH);
        if (query == null || query.isBlank()) return new ToolResult("web_search needs a non-empty query.", List.of(), false);
        List<SearchHit> hits;
        try {
            hits = search.search(query.strip(), maxResults);
        } catch (IOException e) {
            log.warn("web_search failed: {}", e.getMessage());
            return new ToolResult("web_search failed: " + e.getMessage() + ".", List.of(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ToolResult("web_search was interrupted.", List.of(), false);
        } catch (RuntimeException e) {
            // only the kind: a message could carry the backend's URL, and the loop must go on either way
            log.warn("web_search failed unexpectedly ({})", e.getClass().getName());
            return new ToolResult("web_search failed: the search backend's answer could not be read.", List.of(), false);
        }
        if (hits.isEmpty()) return new ToolResult("web_search found nothing for: " + query.strip(), List.of(), false);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < hits.size(); i++) {
            SearchHit hit = hits.get(i);
            text.append(i + 1).append(". ").append(hit.title()).append('\n').append("   ").append(hit.url()).append('\n');
            if (!hit.snippet().isEmpty()) text.append("   ").append(hit.snippet()).append('\n');
        }
        return new ToolResult(text.toString().stripTrailing(), hits.stream().map(h -> new WebSource(h.url(), h.title())).toList(), false);
    }

    @Override
    public ToolResult fetch(String url) {
        return fetch.fetch(url);
    }
}
