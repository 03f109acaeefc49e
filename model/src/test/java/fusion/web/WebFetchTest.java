package fusion.web;

import static fusion.web.ScriptedResolver.ip;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** web_fetch against a real HTTP server on loopback, allowlisted by its exact host:port. */
class WebFetchTest {
    private static final String PAGE = """
            <!doctype html><html><head><title>Carbon tax, explained</title><style>body { color: red }</style>
            <script>document.write('tracking')</script><meta name="description" content="meta text"></head>
            <body><h1>Carbon tax</h1><p>A tax on <b>emissions</b>.</p><script>var secret = 1;</script>
            <ul><li>Revenue neutral</li><li>Border adjustment</li></ul><noscript>enable js</noscript></body></html>""";

    private final ScriptedResolver resolver = new ScriptedResolver().answer("internal.example", ip("10.0.0.5"));
    private final LoopbackOnlySockets sockets = new LoopbackOnlySockets();
    private final Map<String, String> settings = new HashMap<>();
    private MockWebServer server;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        settings.put(WebToolsConfig.ALLOW, "127.0.0.1:" + server.getPort());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private WebTools tools() {
        return LocalWebTools.of(WebToolsConfig.parse(settings, name -> null), resolver, sockets, (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getPort() + path;
    }

    private static MockResponse html(String body) {
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "text/html; charset=utf-8").body(body).build();
    }

    private static MockResponse redirect(String location) {
        return new MockResponse.Builder().code(302).setHeader("Location", location).build();
    }

    @Test
    @DisplayName("an allowlisted local page comes back as readable text: title kept, scripts, styles and markup gone, listed as a source")
    void pageAsText() throws InterruptedException {
        server.enqueue(html(PAGE));

        ToolResult result = tools().fetch(url("/carbon"));

        assertThat(result.refused()).isFalse();
        assertThat(result.content()).startsWith("Title: Carbon tax, explained\nURL: " + url("/carbon") + "\n\n")
                .contains("Carbon tax\nA tax on emissions.\nRevenue neutral\nBorder adjustment")
                .doesNotContain("tracking", "secret", "color: red", "enable js", "<b>", "meta text");
        assertThat(result.sources()).containsExactly(new WebSource(url("/carbon"), "Carbon tax, explained"));
        var request = server.takeRequest();
        assertThat(request.getMethod()).isEqualTo("GET");
        assertThat(request.getHeaders().get("Host")).isEqualTo("127.0.0.1:" + server.getPort());
    }

    @Test
    @DisplayName("a redirect from an allowlisted server to another port on 127.0.0.1 is refused, and nothing connects to it")
    void redirectToLoopbackRefused() {
        server.enqueue(redirect("http://127.0.0.1:1/admin"));

        ToolResult result = tools().fetch(url("/start"));

        assertThat(result.refused()).isTrue();
        assertThat(result.content()).isEqualTo(LocalWebTools.REFUSED);
        assertThat(sockets.attempts()).containsExactly(new InetSocketAddress(ip("127.0.0.1"), server.getPort()));
    }

    @Test
    @DisplayName("a redirect to a name that resolves to 10.x is refused after the lookup, before any connection")
    void redirectToPrivateNameRefused() {
        server.enqueue(redirect("http://internal.example/secrets"));

        ToolResult result = tools().fetch(url("/start"));

        assertThat(result.refused()).isTrue();
        assertThat(resolver.lookups()).containsExactly("internal.example");
        assertThat(sockets.attempts()).containsExactly(new InetSocketAddress(ip("127.0.0.1"), server.getPort()));
    }

    @Test
    @DisplayName("a redirect to metadata, in hex and as a mapped IPv6 literal, is refused")
    void redirectToMetadataRefused() {
        for (String location : new String[] {"http://0xa9fea9fe/latest/meta-data/", "http://[::ffff:169.254.169.254]/", "gopher://127.0.0.1/"}) {
            server.enqueue(redirect(location));
            assertThat(tools().fetch(url("/start")).refused()).as(location).isTrue();
        }
        assertThat(sockets.attempts()).allMatch(a -> a.getPort() == server.getPort());
    }

    @Test
    @DisplayName("a relative redirect within the allowlisted server is followed, and the page it lands on is the source")
    void relativeRedirectFollowed() {
        server.enqueue(redirect("/moved?x=1"));
        server.enqueue(html("<title>Moved</title><p>here now</p>"));

        ToolResult result = tools().fetch(url("/old"));

        assertThat(result.content()).contains("here now");
        assertThat(result.sources()).containsExactly(new WebSource(url("/moved?x=1"), "Moved"));
    }

    @Test
    @DisplayName("redirects beyond fusion.web-fetch.max-redirects are not followed")
    void redirectLimit() {
        settings.put(WebToolsConfig.MAX_REDIRECTS, "2");
        for (int i = 0; i < 3; i++) server.enqueue(redirect("/hop" + i));

        ToolResult result = tools().fetch(url("/start"));

        assertThat(result.refused()).isFalse();
        assertThat(result.content()).isEqualTo("web_fetch failed: the page redirected more than 2 times.");
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    @DisplayName("the allowlist is exact: the same server under another name is not allowlisted")
    void allowlistIsExact() {
        resolver.answer("localhost.example", ip("127.0.0.1"));

        assertThat(tools().fetch("http://localhost.example:" + server.getPort() + "/").refused()).isTrue();
        assertThat(tools().fetch("http://[::1]:" + server.getPort() + "/").refused()).isTrue();
        assertThat(sockets.attempts()).isEmpty();
    }

    @Test
    @DisplayName("a page longer than fusion.web-fetch.max-bytes is cut there and says so")
    void sizeCap() {
        settings.put(WebToolsConfig.MAX_BYTES, "1000");
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "text/plain").body("a".repeat(50_000)).build());

        ToolResult result = tools().fetch(url("/big"));

        assertThat(result.content()).endsWith("\n\n[page truncated]");
        assertThat(result.content()).contains("\n\n" + "a".repeat(1000) + "\n\n").doesNotContain("a".repeat(1001));
    }

    @Test
    @DisplayName("a chunked page is read up to the cap too")
    void chunkedSizeCap() {
        settings.put(WebToolsConfig.MAX_BYTES, "1000");
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "text/plain").chunkedBody("b".repeat(5_000), 300).build());
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "text/plain").chunkedBody("small page", 3).build());

        assertThat(tools().fetch(url("/big")).content()).contains("b".repeat(1000)).doesNotContain("b".repeat(1001)).endsWith("[page truncated]");
        assertThat(tools().fetch(url("/small")).content()).endsWith("\n\nsmall page");
    }

    @Test
    @DisplayName("a content type outside the allowlist is not read: images, missing types")
    void contentTypeRefused() {
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "image/png").body("\u0089PNG").build());
        server.enqueue(new MockResponse.Builder().code(200).removeHeader("Content-Type").body("what am I").build());

        ToolResult image = tools().fetch(url("/logo.png"));
        ToolResult untyped = tools().fetch(url("/blob"));

        assertThat(image.content()).isEqualTo("web_fetch failed: the page is not text (content type image/png).");
        assertThat(image.sources()).isEmpty();
        assertThat(untyped.content()).isEqualTo("web_fetch failed: the page is not text (content type missing).");
    }

    @Test
    @DisplayName("JSON comes back as it is, an error status as a short failure")
    void jsonAndErrors() {
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body("{\"a\": 1}").build());
        server.enqueue(new MockResponse.Builder().code(404).setHeader("Content-Type", "text/html").body("<p>nope</p>").build());

        assertThat(tools().fetch(url("/data.json")).content()).isEqualTo("URL: " + url("/data.json") + "\n\n{\"a\": 1}");
        assertThat(tools().fetch(url("/missing")).content()).isEqualTo("web_fetch failed: the page answered HTTP 404.");
    }

    @Test
    @DisplayName("a page slower than fusion.web-fetch.timeout-ms is given up on")
    void timeout() {
        settings.put(WebToolsConfig.FETCH_TIMEOUT, "300");
        server.enqueue(new MockResponse.Builder(html("<p>late</p>")).headersDelay(30, TimeUnit.SECONDS).build());

        ToolResult result = tools().fetch(url("/slow"));

        assertThat(result.refused()).isFalse();
        assertThat(result.content()).startsWith("web_fetch failed: the page did not answer in");
    }
}
