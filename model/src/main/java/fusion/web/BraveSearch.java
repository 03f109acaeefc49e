package fusion.web;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Brave's Web Search API: {@code GET ...?q=&count=} with the key in {@code X-Subscription-Token}; hits in {@code web.results}. */
record BraveSearch(URI endpoint, String apiKey, SearchHttp http) implements SearchBackend {
    static final String DEFAULT_URL = "https://api.search.brave.com/res/v1/web/search";
    private static final int MAX_COUNT = 20;

    @Override
    public List<SearchHit> search(String query, int count) throws IOException, InterruptedException {
        URI uri = URI.create(endpoint + "?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&count=" + Math.min(count, MAX_COUNT));
        var request = http.request(uri).header("X-Subscription-Token", apiKey).GET().build();
        return SearchHttp.hits(http.send(request).path("web").path("results"), "description", count);
    }

    /** Without the key. */
    @Override
    public String toString() {
        return "BraveSearch[" + endpoint + "]";
    }
}
