package fusion.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * A Schema Registry on mockwebserver3 that answers as Confluent's REST API reference shows: register
 * ({@code POST /subjects/{subject}/versions} → {@code {"id": n}}, one global id per distinct schema), look
 * up by id ({@code GET /schemas/ids/{id}} → {@code {"schema": "..."}}, 40403 when unknown), look up under a
 * subject ({@code POST /subjects/{subject}}, 40401/40403), {@code application/vnd.schemaregistry.v1+json}.
 * It can be told to fail its next calls with 503 / 50003, as a registry whose backend is down does.
 */
public final class ScriptedRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MockWebServer server = new MockWebServer();
    private final Map<Long, Integer> idsByFingerprint = new HashMap<>();
    private final Map<Integer, String> schemasById = new HashMap<>();
    private final Map<String, List<Integer>> versionsBySubject = new LinkedHashMap<>();
    private final AtomicInteger failNext = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final List<String> calls = new ArrayList<>();

    public static ScriptedRegistry start() throws IOException {
        ScriptedRegistry registry = new ScriptedRegistry();
        registry.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return registry.answer(request);
            }
        });
        registry.server.start();
        return registry;
    }

    /** The base URL, for fusion.schema-registry.url. */
    public String url() {
        return server.url("/").toString();
    }

    /** The next {@code calls} calls fail with 503, error_code 50003. */
    public void failNext(int calls) {
        failNext.set(calls);
    }

    /** How many calls were failed on purpose. */
    public int failedCalls() {
        return failed.get();
    }

    /** Every call received, as {@code METHOD /path}. */
    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    /** Subjects that have at least one schema. */
    public synchronized Set<String> subjects() {
        return Set.copyOf(versionsBySubject.keySet());
    }

    /** The ids registered under {@code subject}, one per version. */
    public synchronized List<Integer> ids(String subject) {
        return List.copyOf(versionsBySubject.getOrDefault(subject, List.of()));
    }

    /** Registers as any other producer's serializer would, and returns the id. */
    public synchronized int register(String subject, Schema schema) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        int id = idsByFingerprint.computeIfAbsent(fingerprint, f -> {
            int next = idsByFingerprint.size() + 1;
            schemasById.put(next, schema.toString());
            return next;
        });
        List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(id)) versions.add(id);
        return id;
    }

    private synchronized MockResponse answer(RecordedRequest request) {
        calls.add(request.getMethod() + " " + request.getUrl().encodedPath());
        if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            failed.incrementAndGet();
            return json(503, Map.of("error_code", 50003, "message", "Error while forwarding the request to the leader"));
        }
        String path = request.getUrl().encodedPath();
        String method = request.getMethod();
        if (method.equals("GET") && path.startsWith("/schemas/ids/")) {
            String schema = schemasById.get(Integer.parseInt(path.substring("/schemas/ids/".length())));
            return schema == null ? json(404, Map.of("error_code", 40403, "message", "Schema not found"))
                    : json(200, Map.of("schema", schema));
        }
        if (method.equals("POST") && path.startsWith("/subjects/")) {
            String rest = path.substring("/subjects/".length());
            boolean registering = rest.endsWith("/versions");
            String subject = URLDecoder.decode(registering ? rest.substring(0, rest.length() - "/versions".length()) : rest, StandardCharsets.UTF_8);
            Schema schema;
            try {
                JsonNode body = JSON.readTree(request.getBody().utf8());
                schema = new Schema.Parser().parse(body.path("schema").asText());
            } catch (IOException | RuntimeException e) {
                return json(422, Map.of("error_code", 42201, "message", "Invalid schema"));
            }
            if (registering) return json(200, Map.of("id", register(subject, schema)));
            List<Integer> versions = versionsBySubject.get(subject);
            if (versions == null) return json(404, Map.of("error_code", 40401, "message", "Subject '" + subject + "' not found."));
            Integer id = idsByFingerprint.get(SchemaNormalization.parsingFingerprint64(schema));
            if (id == null || !versions.contains(id)) return json(404, Map.of("error_code", 40403, "message", "Schema not found"));
            return json(200, Map.of("subject", subject, "id", id, "version", versions.indexOf(id) + 1, "schema", schemasById.get(id)));
        }
        return json(404, Map.of("error_code", 404, "message", "HTTP 404 Not Found"));
    }

    private static MockResponse json(int status, Map<String, Object> body) {
        try {
            return new MockResponse.Builder().code(status).setHeader("Content-Type", SchemaRegistry.CONTENT_TYPE)
                    .body(JSON.writeValueAsString(body)).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
