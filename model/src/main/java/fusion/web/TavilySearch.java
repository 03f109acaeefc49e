package fusion.web;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;

/** Tavily's search API: {@code POST {"query", "max_results"}} with {@code Authorization: Bearer <key>}; hits in {@code results}. */
record TavilySearch(URI endpoint, String apiKey, SearchHttp http) implements SearchBackend {
    static final String DEFAULT_URL = "https://api.tavily.com/search";

    @Override
    public List<SearchHit> search(String query, int count) throws IOException, InterruptedException {
        String body = SearchHttp.JSON.createObjectNode().put("query", query).put("max_results", count).put("search_depth", "basic").toString();
        var request = http.request(endpoint).header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return SearchHttp.hits(http.send(request).path("results"), "content", count);
    }

    /** Without the key. */
    @Override
    public String toString() {
        return "TavilySearch[" + endpoint + "]";
    }
}
