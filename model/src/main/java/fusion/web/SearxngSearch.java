package fusion.web;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** SearxNG's JSON API, {@code GET {url}/search?q=...&format=json}; the instance must have the json format enabled. */
final class SearxngSearch implements SearchBackend {
    private final String endpoint;
    private final SearchHttp http;

    /** @param url the instance's root, or its {@code /search} endpoint */
    SearxngSearch(URI url, SearchHttp http) {
        String base = url.toString().replaceAll("/+$", "");
        this.endpoint = base.endsWith("/search") ? base : base + "/search";
        this.http = http;
    }

    @Override
    public List<SearchHit> search(String query, int count) throws IOException, InterruptedException {
        URI uri = URI.create(endpoint + "?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&format=json");
        return SearchHttp.hits(http.send(http.request(uri).GET().build()).path("results"), "content", count);
    }
}
