package fusion.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** web_search through each backend, scripted by a real HTTP server on loopback. */
class WebSearchTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-test-5ecret-do-not-print";

    private MockWebServer server;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        logs.start();
        ((Logger) LoggerFactory.getLogger(LocalWebTools.class)).addAppender(logs);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(LocalWebTools.class)).detachAppender(logs);
        server.close();
    }

    private String root() {
        return "http://127.0.0.1:" + server.getPort();
    }

    private static LocalWebTools tools(Map<String, String> settings) {
        return LocalWebTools.from(settings, name -> name.equals("BRAVE_API_KEY") || name.equals("TAVILY_API_KEY") ? KEY : null);
    }

    private static MockResponse json(int status, String body) {
        return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(body).build();
    }

    @Test
    @DisplayName("SearxNG: GET /search?q=...&format=json, hits as title, url and snippet, each hit a source, at most max-results")
    void searxng() throws InterruptedException {
        server.enqueue(json(200, """
                {"query": "carbon tax", "results": [
                  {"title": "Carbon tax - Wikipedia", "url": "https://en.wikipedia.org/wiki/Carbon_tax", "content": "A carbon tax is a tax levied on..."},
                  {"title": "No url here", "content": "skipped"},
                  {"title": "Carbon pricing", "url": "https://example.org/pricing", "content": ""},
                  {"title": "Third", "url": "https://example.org/3", "content": "over the limit"}]}"""));
        LocalWebTools tools = tools(Map.of(WebToolsConfig.BACKEND, "searxng", WebToolsConfig.SEARCH_URL, root(), WebToolsConfig.MAX_RESULTS, "2"));

        ToolResult result = tools.search("carbon tax");

        assertThat(tools.searchAvailable()).isTrue();
        assertThat(result.content()).isEqualTo("""
                1. Carbon tax - Wikipedia
                   https://en.wikipedia.org/wiki/Carbon_tax
                   A carbon tax is a tax levied on...
                2. Carbon pricing
                   https://example.org/pricing""");
        assertThat(result.sources()).containsExactly(new WebSource("https://en.wikipedia.org/wiki/Carbon_tax", "Carbon tax - Wikipedia"),
                new WebSource("https://example.org/pricing", "Carbon pricing"));
        RecordedRequest request = server.takeRequest();
        assertThat(request.getMethod()).isEqualTo("GET");
        assertThat(request.getTarget()).isEqualTo("/search?q=carbon+tax&format=json");
    }

    @Test
    @DisplayName("Brave: the key in X-Subscription-Token, hits from web.results with their HTML dropped")
    void brave() throws InterruptedException {
        server.enqueue(json(200, """
                {"type": "search", "web": {"results": [
                  {"title": "Carbon <strong>tax</strong>", "url": "https://example.org/a", "description": "about the <strong>carbon</strong> tax"}]}}"""));
        LocalWebTools tools = tools(Map.of(WebToolsConfig.BACKEND, "brave", WebToolsConfig.SEARCH_URL, root() + "/res/v1/web/search"));

        ToolResult result = tools.search("carbon tax");

        assertThat(result.content()).isEqualTo("1. Carbon tax\n   https://example.org/a\n   about the carbon tax");
        RecordedRequest request = server.takeRequest();
        assertThat(request.getTarget()).isEqualTo("/res/v1/web/search?q=carbon+tax&count=5");
        assertThat(request.getHeaders().get("X-Subscription-Token")).isEqualTo(KEY);
    }

    @Test
    @DisplayName("Tavily: POST {query, max_results} with a bearer key, hits from results")
    void tavily() throws Exception {
        server.enqueue(json(200, """
                {"query": "carbon tax", "results": [{"title": "T", "url": "https://example.org/t", "content": "snippet", "score": 0.9}]}"""));
        LocalWebTools tools = tools(Map.of(WebToolsConfig.BACKEND, "tavily", WebToolsConfig.SEARCH_URL, root() + "/search"));

        ToolResult result = tools.search("carbon tax");

        assertThat(result.sources()).containsExactly(new WebSource("https://example.org/t", "T"));
        RecordedRequest request = server.takeRequest();
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
        JsonNode body = JSON.readTree(request.getBody().utf8());
        assertThat(body.path("query").asText()).isEqualTo("carbon tax");
        assertThat(body.path("max_results").asInt()).isEqualTo(5);
    }

    @Test
    @DisplayName("a backend that refuses the key: the model reads the status, and the key is in no exception, result or log line")
    void keyNeverShown() {
        server.enqueue(json(401, "{\"error\": \"invalid key " + KEY + "\"}"));
        server.enqueue(json(401, "{\"error\": \"invalid key " + KEY + "\"}"));
        Map<String, String> settings = Map.of(WebToolsConfig.BACKEND, "brave", WebToolsConfig.SEARCH_URL, root() + "/search");
        WebToolsConfig config = WebToolsConfig.parse(settings, name -> KEY);

        ToolResult result = tools(settings).search("anything");
        SearchBackend backend = LocalWebTools.backend(config);

        assertThat(result.content()).isEqualTo("web_search failed: the search backend answered HTTP 401.");
        assertThatThrownBy(() -> backend.search("anything", 3)).hasMessage("the search backend answered HTTP 401").hasNoCause();
        assertThat(config.toString()).doesNotContain(KEY).contains("apiKey=***");
        assertThat(backend.toString()).doesNotContain(KEY);
        assertThat(logs.list).isNotEmpty().noneMatch(e -> e.getFormattedMessage().contains(KEY));
    }

    @Test
    @DisplayName("a backend that cannot be reached: the failure says so, without the key or the address")
    void unreachable() throws IOException {
        String url = root() + "/search";
        server.close();
        WebToolsConfig config = WebToolsConfig.parse(Map.of(WebToolsConfig.BACKEND, "tavily", WebToolsConfig.SEARCH_URL, url), name -> KEY);

        assertThatThrownBy(() -> LocalWebTools.backend(config).search("q", 1)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("the search backend could not be reached").hasNoCause()
                .message().doesNotContain(KEY).doesNotContain(String.valueOf(server.getPort()));
    }

    @Test
    @DisplayName("with no backend web_search is not available, and a call says so instead of throwing")
    void noBackend() {
        LocalWebTools tools = LocalWebTools.from(Map.of(), name -> null);

        assertThat(tools.searchAvailable()).isFalse();
        assertThat(tools.search("carbon tax").refused()).isTrue();
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    @DisplayName("a setting that cannot work fails at start-up with a message naming the key and the fix")
    void configErrors() {
        assertThatThrownBy(() -> WebToolsConfig.parse(Map.of(WebToolsConfig.BACKEND, "searxng"), name -> null))
                .isInstanceOf(WebToolsConfigException.class).hasMessageContaining("fusion.web-search.url is required");
        assertThatThrownBy(() -> WebToolsConfig.parse(Map.of(WebToolsConfig.BACKEND, "brave"), name -> null))
                .hasMessageContaining("BRAVE_API_KEY").hasMessageContaining("fusion.web-search.api-key-env");
        assertThatThrownBy(() -> WebToolsConfig.parse(Map.of(WebToolsConfig.BACKEND, "tavily", WebToolsConfig.API_KEY_ENV, "MY_KEY"), name -> null))
                .hasMessageContaining("MY_KEY");
        assertThatThrownBy(() -> WebToolsConfig.parse(Map.of(WebToolsConfig.BACKEND, "google"), name -> null))
                .hasMessageContaining("fusion.web-search.backend=google").hasMessageContaining("searxng, brave, tavily or none");
        assertThatThrownBy(() -> WebToolsConfig.parse(Map.of(WebToolsConfig.ALLOW, "127.0.0.1"), name -> null))
                .hasMessageContaining("fusion.web-fetch.allow: '127.0.0.1' is not host:port");
        assertThatThrownBy(() -> WebToolsConfig.parse(Map.of(WebToolsConfig.MAX_BYTES, "lots"), name -> null))
                .hasMessageContaining("fusion.web-fetch.max-bytes=lots must be a whole number");
        assertThatThrownBy(() -> WebToolsConfig.parse(Map.of(WebToolsConfig.PORTS, "80,http"), name -> null))
                .hasMessageContaining("fusion.web-fetch.ports: 'http' is not a port");
    }

    @Test
    @DisplayName("defaults: no allowlist, ports 80 and 443, no search backend; a literal key wins over the environment")
    void defaults() {
        WebToolsConfig config = WebToolsConfig.defaults();
        assertThat(config.allow()).isEmpty();
        assertThat(config.ports()).containsExactlyInAnyOrder(80, 443);
        assertThat(config.searchConfigured()).isFalse();
        assertThat(WebToolsConfig.parse(Map.of(WebToolsConfig.BACKEND, "brave", WebToolsConfig.API_KEY, "literal"), name -> KEY).apiKey())
                .isEqualTo("literal");
        assertThat(WebToolsConfig.parse(Map.of(WebToolsConfig.BACKEND, "BRAVE"), name -> KEY).searchUrl())
                .hasToString("https://api.search.brave.com/res/v1/web/search");
    }
}
