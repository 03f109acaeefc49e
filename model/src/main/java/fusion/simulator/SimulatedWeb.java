package fusion.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The simulator's small web, on the same loopback port as its chat API, so web_search and web_fetch have something
 * to find in tests and simulated runs:
 * <ul>
 * <li>{@code GET /search?q=...&format=json}: a SearxNG-shaped answer, {@value #HITS} hits per query, each pointing
 *     at a page below; deterministic per query.</li>
 * <li>{@code GET /pages/<slug>}: an HTML page about the slug, with a script and a style a reader must drop.</li>
 * <li>{@code GET /pages/redirect?to=<url>}: a 302 to any URL, to test that a fetch checks every hop.</li>
 * </ul>
 * Simulated text says so, so it is never mistaken for a real page.
 */
final class SimulatedWeb {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int HITS = 3;

    private SimulatedWeb() {}

    static void serveOn(HttpServer server) {
        server.createContext("/search", SimulatedWeb::search);
        server.createContext("/pages/", SimulatedWeb::page);
    }

    private static void search(HttpExchange exchange) {
        Map<String, String> query = query(exchange);
        String q = query.getOrDefault("q", "").strip();
        if (!"json".equals(query.get("format"))) {
            send(exchange, 403, "text/plain", "the simulated SearxNG serves format=json only");
            return;
        }
        ObjectNode body = JSON.createObjectNode().put("query", q).put("number_of_results", q.isEmpty() ? 0 : HITS);
        ArrayNode results = body.putArray("results");
        String slug = slug(q);
        for (int i = 1; i <= HITS && !q.isEmpty(); i++) {
            results.addObject().put("title", "Simulated result " + i + " for " + q)
                    .put("url", root(exchange) + "/pages/" + slug + "-" + i)
                    .put("content", "(simulated snippet) What a page about " + q + " might say, number " + i + ".")
                    .put("engine", "fusion-simulator");
        }
        send(exchange, 200, "application/json", body.toString());
    }

    private static void page(HttpExchange exchange) {
        String slug = exchange.getRequestURI().getPath().substring("/pages/".length());
        if (slug.equals("redirect")) {
            String to = query(exchange).get("to");
            if (to == null) {
                send(exchange, 400, "text/plain", "redirect needs ?to=<url>");
                return;
            }
            exchange.getResponseHeaders().set("Location", to);
            send(exchange, 302, "text/plain", "");
            return;
        }
        String topic = slug.replace('-', ' ');
        String html = "<!doctype html><html><head><title>Simulated page: " + escape(topic) + "</title>"
                + "<style>p { color: gray }</style><script>console.log('simulated tracking')</script></head><body>"
                + "<h1>" + escape(topic) + "</h1>"
                + "<p>(simulated page) This page stands in for a web page about " + escape(topic) + ".</p>"
                + "<p>It says the same thing every time it is fetched, so runs that read it are reproducible.</p>"
                + "</body></html>";
        send(exchange, 200, "text/html; charset=utf-8", html);
    }

    private static String root(HttpExchange exchange) {
        return "http://127.0.0.1:" + exchange.getLocalAddress().getPort();
    }

    static String slug(String text) {
        String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return slug.isEmpty() ? "page" : slug.length() > 60 ? slug.substring(0, 60) : slug;
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> values = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null) return values;
        for (String pair : raw.split("&")) {
            String[] kv = pair.split("=", 2);
            values.putIfAbsent(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), kv.length == 2 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return values;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) {
        Simulator.answer(exchange, status, contentType, null, body);
    }
}
