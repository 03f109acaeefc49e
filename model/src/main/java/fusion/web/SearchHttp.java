package fusion.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jsoup.Jsoup;

/** The HTTP and JSON the search backends share: one JDK client, errors that name only the status or the failure's kind. */
final class SearchHttp {
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final Duration timeout;

    SearchHttp(Duration timeout) {
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.timeout = timeout;
    }

    HttpRequest.Builder request(java.net.URI uri) {
        return HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").header("User-Agent", "fusion-web-search/1");
    }

    JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            // the JDK's message may hold the URL; the kind of failure is enough and leaks nothing
            throw new IOException("the search backend could not be reached (" + e.getClass().getSimpleName() + ")");
        }
        if (response.statusCode() != 200) throw new IOException("the search backend answered HTTP " + response.statusCode());
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IOException("the search backend's answer is not JSON");
        }
    }

    /** Hits from an array of {title, url, <snippetField>}; entries without a url are skipped, HTML in snippets dropped. */
    static List<SearchHit> hits(JsonNode results, String snippetField, int count) {
        List<SearchHit> hits = new ArrayList<>();
        for (JsonNode result : results) {
            if (hits.size() >= count) break;
            String url = result.path("url").asText("");
            if (url.isBlank()) continue;
            hits.add(new SearchHit(plain(result.path("title").asText(url)), url, plain(result.path(snippetField).asText(""))));
        }
        return hits;
    }

    private static String plain(String text) {
        return text.indexOf('<') < 0 ? text.strip() : Jsoup.parse(text).text();
    }
}
