package fusion.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * A client of the Confluent Schema Registry REST API (v1), as far as the wire format needs it:
 * register a schema under a subject, look a schema up by id, and look a schema up under a subject.
 * Confluent's own client is not on Maven Central. The same API is served by Apicurio's ccompat
 * endpoint ({@code /apis/ccompat/v7}), Karapace and Redpanda.
 *
 * <p>Ids are cached: a schema registered once is not registered again, and an id's schema never
 * changes. Failures of the registry (5xx, 429, network) are retried a bounded number of times;
 * errors of the request (404, 409, 422) are not. The basic-auth user info never appears in a
 * message.
 */
public final class SchemaRegistry {
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT = CONTENT_TYPE + ", application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
    private static final ObjectMapper JSON = new ObjectMapper();
    /*
     * A call may run on a stream thread (a schema's first use, an unknown id): all attempts together stay well
     * inside the transaction timeout (60 s), so a registry that is down fails the task, which Streams retries,
     * rather than the transaction.
     */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** A schema as registered under a subject. */
    public record Registered(String subject, int id, int version) {}

    private final URI base;
    private final String authorization;
    private final HttpClient http;
    private final int attempts;
    private final Duration backoff;
    private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    private SchemaRegistry(URI base, String authorization, int attempts, Duration backoff) {
        this.base = base;
        this.authorization = authorization;
        this.attempts = attempts;
        this.backoff = backoff;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    /**
     * @param url      the API's base, e.g. {@code http://registry:8081} or Apicurio's {@code http://registry:8080/apis/ccompat/v7}
     * @param userInfo {@code user:password} for basic auth, or null
     */
    public static SchemaRegistry at(String url, String userInfo) {
        return at(url, userInfo, 4, Duration.ofMillis(200));
    }

    /** The same with {@code attempts} tries per call, {@code backoff} before the second and doubling after. */
    static SchemaRegistry at(String url, String userInfo, int attempts, Duration backoff) {
        if (url == null || url.isBlank()) throw new IllegalArgumentException("fusion.schema-registry.url is empty: set it to the registry's base URL");
        URI base;
        try {
            base = URI.create(url.strip().endsWith("/") ? url.strip() : url.strip() + "/");
        } catch (IllegalArgumentException e) {
            // not the parser's message: it would echo the URL, and a URL may carry credentials
            throw new IllegalArgumentException("fusion.schema-registry.url is not a URL (look for spaces or characters to escape); "
                    + "give the registry's base, e.g. http://localhost:8081");
        }
        if (base.getScheme() == null || !base.getScheme().matches("https?") || base.getHost() == null) {
            throw new IllegalArgumentException("fusion.schema-registry.url must be an http:// or https:// URL with a host, e.g. http://localhost:8081");
        }
        if (base.getRawUserInfo() != null) {
            throw new IllegalArgumentException("fusion.schema-registry.url carries credentials; put them in fusion.schema-registry.basic-auth.user-info instead");
        }
        String authorization = null;
        if (userInfo != null && !userInfo.isBlank()) {
            if (!userInfo.contains(":")) throw new IllegalArgumentException("fusion.schema-registry.basic-auth.user-info must be user:password");
            authorization = "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        }
        return new SchemaRegistry(base, authorization, attempts, backoff);
    }

    /** The base URL, for messages. */
    public String url() {
        return base.toString();
    }

    /**
     * {@code POST /subjects/{subject}/versions}: registers {@code schema} under {@code subject} (or finds it
     * registered) and returns its global id. Cached per subject and schema.
     *
     * @throws SchemaRegistryException 409 when the registry finds it incompatible with the subject's schemas, 422 when invalid
     */
    public int register(String subject, Schema schema) {
        String key = key(subject, schema);
        Integer cached = idsBySubjectAndSchema.get(key);
        if (cached != null) return cached;
        JsonNode answer = send("POST", "subjects/" + encode(subject) + "/versions", body(schema), "registering " + schema.getFullName() + " under " + subject);
        int id = answer.path("id").asInt(-1);
        if (id < 0) throw new SchemaRegistryException(200, 0, "the registry at " + url() + " answered a registration under " + subject + " without an id");
        idsBySubjectAndSchema.put(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /**
     * {@code GET /schemas/ids/{id}}: the schema with this global id. Cached.
     *
     * @throws SchemaRegistryException 404 / 40403 when the registry has no such schema
     */
    public Schema schema(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) return cached;
        JsonNode answer = send("GET", "schemas/ids/" + id, null, "looking up schema id " + id);
        String type = answer.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw new SchemaRegistryException(200, 0, "schema id " + id + " at " + url() + " is a " + type + " schema, not Avro");
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(answer.path("schema").asText());
        } catch (RuntimeException e) {
            throw new SchemaRegistryException(200, 0, "schema id " + id + " at " + url() + " is not a valid Avro schema: " + e.getMessage());
        }
        schemasById.putIfAbsent(id, schema);
        return schema;
    }

    /**
     * {@code POST /subjects/{subject}}: whether {@code schema} is registered under {@code subject}, with its
     * id and version; empty when the subject (40401) or the schema under it (40403) is not found.
     */
    public Optional<Registered> lookUp(String subject, Schema schema) {
        try {
            JsonNode answer = send("POST", "subjects/" + encode(subject), body(schema), "looking up " + schema.getFullName() + " under " + subject);
            Registered registered = new Registered(answer.path("subject").asText(subject), answer.path("id").asInt(), answer.path("version").asInt());
            idsBySubjectAndSchema.putIfAbsent(key(subject, schema), registered.id());
            schemasById.putIfAbsent(registered.id(), schema);
            return Optional.of(registered);
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == 40401 || e.errorCode() == 40403) return Optional.empty();
            throw e;
        }
    }

    private static String key(String subject, Schema schema) {
        return subject + '\n' + SchemaNormalization.parsingFingerprint64(schema);
    }

    private static String body(Schema schema) {
        try {
            return JSON.writeValueAsString(Map.of("schema", schema.toString()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, String body, String doing) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", ACCEPT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", CONTENT_TYPE);
        if (authorization != null) request.header("Authorization", authorization);
        SchemaRegistryException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (attempt > 1) pause(backoff.multipliedBy(1L << (attempt - 2)));
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 == 2) return JSON.readTree(response.body());
                last = failure(response.statusCode(), response.body(), doing);
            } catch (IOException e) {
                last = new SchemaRegistryException(0, 0, doing + ": the registry at " + url() + " could not be reached (" + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException(0, 0, doing + ": interrupted");
            }
            if (!last.retriable()) throw last;
        }
        throw new SchemaRegistryException(last.status(), last.errorCode(), last.getMessage() + " (after " + attempts + " attempts)");
    }

    /** The registry's error body, {@code {"error_code": 40401, "message": "Subject not found."}}, said for us. */
    private SchemaRegistryException failure(int status, String body, String doing) {
        int code = status;
        String message = body == null ? "" : body.strip();
        try {
            JsonNode error = JSON.readTree(body);
            if (error != null && error.has("error_code")) code = error.path("error_code").asInt(status);
            if (error != null && error.has("message")) message = error.path("message").asText();
        } catch (IOException notJson) {
            // an HTML error page from a proxy: keep the status and a bounded excerpt
        }
        if (message.length() > 300) message = message.substring(0, 300) + "...";
        String meaning = switch (code) {
            case 40401 -> "subject not found";
            case 40402 -> "version not found";
            case 40403 -> "schema not found";
            case 409 -> "incompatible with the schemas already under this subject (see its compatibility level)";
            case 42201 -> "not a valid schema";
            case 42202 -> "not a valid version";
            default -> switch (status) {
                case 401 -> "unauthorized: check fusion.schema-registry.basic-auth.user-info";
                case 403 -> "forbidden: these credentials may not do this";
                case 409 -> "incompatible with the schemas already under this subject";
                case 422 -> "unprocessable";
                default -> status >= 500 ? "the registry failed" : "HTTP " + status;
            };
        };
        return new SchemaRegistryException(status, code, doing + " at " + url() + ": " + meaning + " (HTTP " + status + ", error_code " + code
                + (message.isEmpty() ? "" : ": " + message) + ")");
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
