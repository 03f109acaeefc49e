package fusion.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.schema.FusionResult;
import fusion.schema.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Our Schema Registry client against a registry scripted to answer as the REST API's documentation shows. */
class SchemaRegistryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema SCHEMA = Message.getClassSchema();

    private MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private SchemaRegistry registry() {
        return SchemaRegistry.at(server.url("/").toString(), null, 3, Duration.ofMillis(1));
    }

    private static MockResponse answer(int status, String body) {
        return new MockResponse.Builder().code(status).setHeader("Content-Type", SchemaRegistry.CONTENT_TYPE).body(body).build();
    }

    private static MockResponse error(int status, int errorCode, String message) {
        return answer(status, "{\"error_code\": " + errorCode + ", \"message\": \"" + message + "\"}");
    }

    private RecordedRequest sent() throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r).as("a request reached the registry").isNotNull();
        return r;
    }

    @Test
    @DisplayName("register: POST /subjects/{subject}/versions with the schema as a JSON string → its id; the second time from the cache")
    void registerReturnsTheIdAndCachesIt() throws Exception {
        server.enqueue(answer(200, "{\"id\": 7}"));
        SchemaRegistry registry = registry();

        assertThat(registry.register("fusion.results-value", SCHEMA)).isEqualTo(7);
        assertThat(registry.register("fusion.results-value", SCHEMA)).isEqualTo(7);

        RecordedRequest r = sent();
        assertThat(r.getMethod()).isEqualTo("POST");
        assertThat(r.getUrl().encodedPath()).isEqualTo("/subjects/fusion.results-value/versions");
        assertThat(r.getHeaders().get("Content-Type")).startsWith("application/vnd.schemaregistry.v1+json");
        assertThat(r.getHeaders().get("Accept")).startsWith("application/vnd.schemaregistry.v1+json");
        JsonNode body = JSON.readTree(r.getBody().utf8());
        assertThat(new Schema.Parser().parse(body.get("schema").asText())).isEqualTo(SCHEMA);
        assertThat(server.getRequestCount()).as("ids are cached").isEqualTo(1);
        assertThat(registry.schema(7)).as("and so is the schema of an id we registered").isEqualTo(SCHEMA);
    }

    @Test
    @DisplayName("look up by id: GET /schemas/ids/{id} → the schema, parsed; asked once")
    void schemaById() throws Exception {
        server.enqueue(answer(200, JSON.writeValueAsString(java.util.Map.of("schema", FusionResult.getClassSchema().toString()))));
        SchemaRegistry registry = registry();

        assertThat(registry.schema(42)).isEqualTo(FusionResult.getClassSchema());
        assertThat(registry.schema(42)).isEqualTo(FusionResult.getClassSchema());

        RecordedRequest r = sent();
        assertThat(r.getMethod()).isEqualTo("GET");
        assertThat(r.getUrl().encodedPath()).isEqualTo("/schemas/ids/42");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("look up by id: 404 with error_code 40403 → schema not found, not retried")
    void unknownIdIsSchemaNotFound() {
        server.enqueue(error(404, 40403, "Schema 99 not found"));

        assertThatThrownBy(() -> registry().schema(99)).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(40403);
            assertThat(e.retriable()).isFalse();
            assertThat(e).hasMessageContaining("schema id 99").hasMessageContaining("schema not found");
        });
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("look up under a subject: POST /subjects/{subject} → subject, id and version; 40401 and 40403 → not registered")
    void lookUpUnderSubject() throws Exception {
        server.enqueue(answer(200, "{\"subject\": \"fusion.requests-value\", \"id\": 3, \"version\": 2, \"schema\": "
                + JSON.writeValueAsString(SCHEMA.toString()) + "}"));
        server.enqueue(error(404, 40401, "Subject 'other-value' not found."));
        server.enqueue(error(404, 40403, "Schema not found"));
        SchemaRegistry registry = registry();

        assertThat(registry.lookUp("fusion.requests-value", SCHEMA)).contains(new SchemaRegistry.Registered("fusion.requests-value", 3, 2));
        assertThat(registry.lookUp("other-value", SCHEMA)).isEmpty();
        assertThat(registry.lookUp("third-value", SCHEMA)).isEmpty();

        RecordedRequest r = sent();
        assertThat(r.getMethod()).isEqualTo("POST");
        assertThat(r.getUrl().encodedPath()).isEqualTo("/subjects/fusion.requests-value");
        assertThat(new Schema.Parser().parse(JSON.readTree(r.getBody().utf8()).get("schema").asText())).isEqualTo(SCHEMA);
    }

    @Test
    @DisplayName("register: 409 → incompatible with the subject's schemas, said so; not retried")
    void incompatibleSchema() {
        server.enqueue(error(409, 409, "Schema being registered is incompatible with an earlier schema for subject \\\"fusion.results-value\\\""));

        assertThatThrownBy(() -> registry().register("fusion.results-value", SCHEMA)).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.status()).isEqualTo(409);
            assertThat(e).hasMessageContaining("incompatible").hasMessageContaining("fusion.results-value");
        });
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("register: 422 with error_code 42201 → not a valid schema; not retried")
    void invalidSchema() {
        server.enqueue(error(422, 42201, "Invalid schema"));

        assertThatThrownBy(() -> registry().register("fusion.results-value", SCHEMA)).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(42201);
            assertThat(e).hasMessageContaining("not a valid schema");
        });
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("5xx twice, then 200 → the id, after three requests")
    void serverErrorsAreRetried() {
        server.enqueue(error(500, 50001, "Error in the backend data store"));
        server.enqueue(error(503, 50003, "Error while forwarding the request to the primary"));
        server.enqueue(answer(200, "{\"id\": 11}"));

        assertThat(registry().register("fusion.results-value", SCHEMA)).isEqualTo(11);
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    @DisplayName("5xx on every attempt → fails after the bounded number of attempts, saying how many")
    void retriesAreBounded() {
        for (int i = 0; i < 5; i++) server.enqueue(error(500, 50001, "Error in the backend data store"));

        assertThatThrownBy(() -> registry().register("fusion.results-value", SCHEMA)).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.retriable()).isTrue();
            assertThat(e).hasMessageContaining("error_code 50001").hasMessageContaining("after 3 attempts");
        });
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    @DisplayName("basic auth: user info sent as an Authorization header; a 401 names the setting, never the password")
    void basicAuth() throws Exception {
        server.enqueue(answer(200, "{\"id\": 1}"));
        server.enqueue(error(401, 40101, "Unauthorized"));
        SchemaRegistry registry = SchemaRegistry.at(server.url("/").toString(), "fusion:s3cret-pass", 3, Duration.ofMillis(1));

        registry.register("a-value", SCHEMA);
        assertThat(sent().getHeaders().get("Authorization"))
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("fusion:s3cret-pass".getBytes(StandardCharsets.UTF_8)));

        assertThatThrownBy(() -> registry.register("b-value", SCHEMA)).isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("fusion.schema-registry.basic-auth.user-info").hasMessageNotContaining("s3cret");
    }

    @Test
    @DisplayName("a base URL with a path (Apicurio's /apis/ccompat/v7) is kept in front of every request path")
    void baseUrlWithPath() throws Exception {
        server.enqueue(answer(200, "{\"id\": 5}"));

        SchemaRegistry.at(server.url("/apis/ccompat/v7").toString(), null).register("fusion.results-value", SCHEMA);

        assertThat(sent().getUrl().encodedPath()).isEqualTo("/apis/ccompat/v7/subjects/fusion.results-value/versions");
    }

    @Test
    @DisplayName("bad settings → errors that name the setting: not a URL, credentials in the URL, user info without a colon")
    void badSettings() {
        assertThatThrownBy(() -> SchemaRegistry.at("registry:8081", null)).hasMessageContaining("fusion.schema-registry.url");
        assertThatThrownBy(() -> SchemaRegistry.at("http://me:pw@registry:8081", null))
                .hasMessageContaining("fusion.schema-registry.basic-auth.user-info").hasMessageNotContaining("pw");
        assertThatThrownBy(() -> SchemaRegistry.at("http://registry:8081", "just-a-key")).hasMessageContaining("user:password");
        assertThatThrownBy(() -> SchemaRegistry.at("http://me:pw@my registry:8081", null)).as("a URL that does not parse is not echoed")
                .hasMessageContaining("fusion.schema-registry.url is not a URL").hasMessageNotContaining("pw");
    }
}
