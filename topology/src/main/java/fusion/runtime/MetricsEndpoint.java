package fusion.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Prometheus scrape endpoint ({@code GET /metrics}) of a running app: model calls (in flight,
 * latency, tokens, cost, retries, circuits), results by status, the Streams clients' own metrics
 * (consumer lag among them) and the JVM's. The registry joins Micrometer's global one, where the
 * topology's stages count. {@code GET /health} answers 200 while the streams app runs (or
 * rebalances) and 503 otherwise, for container health checks.
 */
public final class MetricsEndpoint implements AutoCloseable {
    public static final String PATH = "/metrics";
    public static final String HEALTH_PATH = "/health";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpServer server;
    private KafkaStreamsMetrics streamsMetrics;
    private volatile KafkaStreams streams;
    private final JvmGcMetrics gc = new JvmGcMetrics();

    private MetricsEndpoint(int port) throws IOException {
        Metrics.addRegistry(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        gc.bindTo(registry);
        server = HttpServer.create(new InetSocketAddress(port), 16);
        server.createContext(PATH, exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        server.createContext(HEALTH_PATH, exchange -> {
            KafkaStreams watched = streams;
            KafkaStreams.State state = watched == null ? null : watched.state();
            boolean up = state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
            respond(exchange, up ? 200 : 503, "application/json", "{\"status\": \"" + (state == null ? "STARTING" : state.name()) + "\"}\n");
        });
        server.start();
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Serves /metrics on {@code port} (0: any free port). */
    public static MetricsEndpoint start(int port) {
        try {
            return new MetricsEndpoint(port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on port " + port + " (in use?); pick another with --metrics-port", e);
        }
    }

    /** Also publish the Streams clients' metrics (records-lag-max and the rest), and answer /health by the app's state. */
    public void watch(KafkaStreams streams) {
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        this.streams = streams;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        if (streamsMetrics != null) streamsMetrics.close();
        gc.close();
        Metrics.removeRegistry(registry);
        registry.close();
    }
}
