package fusion.model.batch;

import static fusion.model.batch.OpenRouterBatchApiTest.FAST;
import static fusion.model.batch.OpenRouterBatchApiTest.JSON;
import static fusion.model.batch.OpenRouterBatchApiTest.json;
import static fusion.model.batch.OpenRouterBatchApiTest.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import fusion.model.ChatOutcome;
import fusion.model.FailureKind;
import fusion.model.ProviderConfig;
import java.io.IOException;
import java.net.http.HttpClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** OpenAI's Batch API against a scripted server answering as its API reference shows. */
class OpenAiBatchApiTest {
    static final String KEY = "sk-proj-openaiopenaiopenai0123456789";
    static final String MODEL = OpenRouterBatchApiTest.MODEL;

    MockWebServer server;
    OpenAiBatchApi api;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        api = new OpenAiBatchApi(ProviderConfig.of("openai", server.url("/v1").toString(), KEY), HttpClient.newHttpClient(), FAST,
                BatchCost.REPORTED_ONLY);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    RecordedRequest take() throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        return r;
    }

    static String batch(String status, String outputFile, String errorFile, String errors) {
        return """
                {"id": "batch_abc123", "object": "batch", "endpoint": "/v1/chat/completions", "errors": %s,
                 "input_file_id": "file-abc123", "completion_window": "24h", "status": "%s",
                 "output_file_id": %s, "error_file_id": %s, "created_at": 1711471533,
                 "request_counts": {"total": 3, "completed": 2, "failed": 1}, "metadata": null}"""
                .formatted(errors, status, outputFile == null ? "null" : "\"" + outputFile + "\"", errorFile == null ? "null" : "\"" + errorFile + "\"");
    }

    static MockResponse jsonl(String... lines) {
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/octet-stream").body(String.join("\n", lines) + "\n").build();
    }

    static String output(String customId, String content) {
        return OpenRouterBatchApiTest.answered(customId, content, null).replace("\n", " ");
    }

    @Test
    @DisplayName("submit uploads a JSONL file (purpose=batch) of {custom_id, method, url, body}, then creates the batch from its id")
    void submitUploadsThenCreates() throws Exception {
        server.enqueue(json(200, "{\"id\": \"file-abc123\", \"object\": \"file\", \"bytes\": 120, \"purpose\": \"batch\", \"filename\": \"batch.jsonl\"}"));
        server.enqueue(json(200, batch("validating", null, null, "null")));

        SubmittedBatch sent = api.submit(MODEL, lines("r1", "r2"));

        assertThat(sent.batchId()).isEqualTo("batch_abc123");
        RecordedRequest upload = take();
        assertThat(upload.getUrl().encodedPath()).isEqualTo("/v1/files");
        assertThat(upload.getHeaders().get("Content-Type")).startsWith("multipart/form-data; boundary=");
        assertThat(upload.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
        String multipart = upload.getBody().utf8();
        assertThat(multipart).contains("name=\"purpose\"\r\n\r\nbatch\r\n", "filename=\"batch.jsonl\"");
        List<JsonNode> jsonl = multipart.lines().filter(l -> l.startsWith("{")).map(l -> {
            try {
                return JSON.readTree(l);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertThat(jsonl).hasSize(2);
        assertThat(jsonl.get(0).path("custom_id").asText()).isEqualTo("r1");
        assertThat(jsonl.get(0).path("method").asText()).isEqualTo("POST");
        assertThat(jsonl.get(0).path("url").asText()).isEqualTo("/v1/chat/completions");
        assertThat(jsonl.get(0).path("body").path("model").asText()).isEqualTo(MODEL);
        RecordedRequest create = take();
        assertThat(create.getUrl().encodedPath()).isEqualTo("/v1/batches");
        assertThat(JSON.readTree(create.getBody().utf8())).isEqualTo(JSON.readTree(
                "{\"input_file_id\": \"file-abc123\", \"endpoint\": \"/v1/chat/completions\", \"completion_window\": \"24h\"}"));
    }

    @Test
    @DisplayName("results: the output and error files are read; per-line errors typed; a line in neither file is missing")
    void resultsFromFiles() throws Exception {
        server.enqueue(json(200, batch("completed", "file-out", "file-err", "null")));
        server.enqueue(jsonl(output("r1", "one")));
        server.enqueue(jsonl("{\"id\": \"x\", \"custom_id\": \"r2\", \"response\": {\"status_code\": 400, \"request_id\": \"q\", "
                + "\"body\": {\"error\": {\"message\": \"Invalid 'messages'\", \"type\": \"invalid_request_error\"}}}, \"error\": null}"));

        BatchResults got = api.results(new SubmittedBatch("openai", "batch_abc123", MODEL, List.of("r1", "r2", "r3")));

        assertThat(got.outcomes().get("r1").content()).isEqualTo("one");
        ChatOutcome r2 = got.outcomes().get("r2");
        assertThat(r2.failure()).isEqualTo(FailureKind.BAD_REQUEST);
        assertThat(r2.errorMessage()).contains("Invalid 'messages'");
        assertThat(got.missing()).containsExactly("r3");
        take();
        assertThat(take().getUrl().encodedPath()).isEqualTo("/v1/files/file-out/content");
        assertThat(take().getUrl().encodedPath()).isEqualTo("/v1/files/file-err/content");
    }

    @Test
    @DisplayName("a failed batch surfaces errors.data[0].message; an expired one is terminal; cancel posts /batches/{id}/cancel")
    void failedExpiredCancel() throws Exception {
        server.enqueue(json(200, batch("failed", null, null,
                "{\"object\": \"list\", \"data\": [{\"code\": \"invalid_model\", \"message\": \"model does not support batch\", \"line\": null}]}")));
        server.enqueue(json(200, batch("expired", "file-out", null, "null")));
        server.enqueue(json(200, batch("cancelling", null, null, "null")));

        BatchProgress failed = api.poll("batch_abc123");
        assertThat(failed.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(failed.error()).isEqualTo("model does not support batch");
        assertThat(api.poll("batch_abc123").status()).isEqualTo(BatchStatus.EXPIRED);
        assertThat(api.cancel("batch_abc123")).isTrue();
        take();
        take();
        RecordedRequest cancel = take();
        assertThat(cancel.getMethod()).isEqualTo("POST");
        assertThat(cancel.getUrl().encodedPath()).isEqualTo("/v1/batches/batch_abc123/cancel");
    }

    @Test
    @DisplayName("429 on a file download is tried again; a 401 names the key setting and never the key")
    void retriesAndKey() throws Exception {
        server.enqueue(json(200, batch("completed", "file-out", null, "null")));
        server.enqueue(OpenRouterBatchApiTest.rateLimited());
        server.enqueue(jsonl(output("r1", "one")));
        assertThat(api.results(new SubmittedBatch("openai", "batch_abc123", MODEL, List.of("r1"))).outcomes()).containsOnlyKeys("r1");

        server.enqueue(json(401, "{\"error\": {\"message\": \"Incorrect API key provided: " + KEY + "\", \"type\": \"invalid_request_error\", \"code\": \"invalid_api_key\"}}"));
        assertThatThrownBy(() -> api.poll("batch_abc123")).isInstanceOfSatisfying(BatchException.class, e -> {
            assertThat(e.kind()).isEqualTo(FailureKind.UNAUTHORIZED);
            assertThat(e.getMessage()).doesNotContain(KEY).contains("fusion.provider.openai.api-key");
        });
    }

    @Test
    @DisplayName("an OpenAI batch over 50,000 lines is refused before anything is sent")
    void limits() {
        assertThat(api.limits()).isEqualTo(BatchLimits.OPENAI);
        assertThatThrownBy(() -> api.submit(MODEL, java.util.Collections.nCopies(50_001, lines("x").get(0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("50000-request");
        assertThat(server.getRequestCount()).isZero();
    }

    /** A listed batch, created {@code ageSeconds} ago, with {@code label} as its fusion_label (none when null). */
    static String listed(String id, String label, long ageSeconds) {
        String metadata = label == null ? "null" : "{\"fusion_label\": \"" + label + "\"}";
        return """
                {"id": "%s", "object": "batch", "endpoint": "/v1/chat/completions", "errors": null, "input_file_id": "file-%s",
                 "completion_window": "24h", "status": "in_progress", "output_file_id": null, "error_file_id": null,
                 "created_at": %d, "request_counts": {"total": 2, "completed": 0, "failed": 0}, "metadata": %s}"""
                .formatted(id, id, java.time.Instant.now().getEpochSecond() - ageSeconds, metadata);
    }

    static MockResponse page(boolean hasMore, String... batches) {
        String first = batches.length == 0 ? "null" : "\"" + JSON_ID.matcher(batches[0]).results().findFirst().orElseThrow().group(1) + "\"";
        String last = batches.length == 0 ? "null"
                : "\"" + JSON_ID.matcher(batches[batches.length - 1]).results().findFirst().orElseThrow().group(1) + "\"";
        return json(200, "{\"object\": \"list\", \"data\": [" + String.join(",", batches) + "], \"first_id\": " + first
                + ", \"last_id\": " + last + ", \"has_more\": " + hasMore + "}");
    }

    static final java.util.regex.Pattern JSON_ID = java.util.regex.Pattern.compile("\"id\": \"([^\"]+)\"");

    @Test
    @DisplayName("submit with a label sends it as the batch's metadata {\"fusion_label\": label}")
    void labelGoesOutAsMetadata() throws Exception {
        server.enqueue(json(200, "{\"id\": \"file-abc123\", \"object\": \"file\", \"purpose\": \"batch\"}"));
        server.enqueue(json(200, batch("validating", null, null, "null")));

        api.submit(MODEL, lines("r1", "r2"), "run-7:panel:gpt:chunk-0");

        take();
        JsonNode create = JSON.readTree(take().getBody().utf8());
        assertThat(create.path("metadata").path("fusion_label").asText()).isEqualTo("run-7:panel:gpt:chunk-0");
        assertThat(create.path("input_file_id").asText()).isEqualTo("file-abc123");
    }

    @Test
    @DisplayName("submit without a label sends no metadata; a blank or over-512-character label is refused before anything is sent")
    void noLabelNoMetadata() throws Exception {
        server.enqueue(json(200, "{\"id\": \"file-abc123\", \"object\": \"file\", \"purpose\": \"batch\"}"));
        server.enqueue(json(200, batch("validating", null, null, "null")));
        api.submit(MODEL, lines("r1"));
        take();
        assertThat(JSON.readTree(take().getBody().utf8()).has("metadata")).isFalse();

        assertThatThrownBy(() -> api.submit(MODEL, lines("r1"), " ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> api.submit(MODEL, lines("r1"), "x".repeat(513))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("512");
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    @DisplayName("find pages through GET /batches (limit=100, after=last_id, newest first) and adopts the batch carrying the label")
    void findAdoptsAcrossPages() throws Exception {
        server.enqueue(page(true, listed("batch_c", "other", 10), listed("batch_b", null, 20)));
        server.enqueue(page(false, listed("batch_a", "mine", 30), listed("batch_0", "mine", 40)));

        var found = api.find(MODEL, "mine", List.of("r1", "r2"));

        assertThat(found).contains(new SubmittedBatch("openai", "batch_a", MODEL, List.of("r1", "r2")));
        RecordedRequest first = take();
        assertThat(first.getMethod()).isEqualTo("GET");
        assertThat(first.getUrl().encodedPath()).isEqualTo("/v1/batches");
        assertThat(first.getUrl().queryParameter("limit")).isEqualTo("100");
        assertThat(first.getUrl().queryParameter("after")).isNull();
        assertThat(first.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(take().getUrl().queryParameter("after")).isEqualTo("batch_b");
    }

    @Test
    @DisplayName("find returns empty when no listed batch carries the label, and stops at batches older than 24 h without reading on")
    void findEmptyWhenNoneMatches() throws Exception {
        server.enqueue(page(false, listed("batch_b", "other", 10), listed("batch_a", null, 20)));
        assertThat(api.find(MODEL, "mine", List.of("r1"))).isEmpty();

        server.enqueue(page(true, listed("batch_old", "other", 25 * 3600)));
        assertThat(api.find(MODEL, "mine", List.of("r1"))).isEmpty();
        assertThat(server.getRequestCount()).as("no page read past a batch older than 24 h").isEqualTo(2);
    }

    @Test
    @DisplayName("find after 5xx on every try throws a retryable BatchException, never \"not found\"")
    void findServerErrorIsRetryable() {
        for (int i = 0; i < 3; i++) server.enqueue(json(500, "{\"error\": {\"message\": \"The server had an error\", \"type\": \"server_error\"}}"));

        assertThatThrownBy(() -> api.find(MODEL, "mine", List.of("r1"))).isInstanceOfSatisfying(BatchException.class,
                e -> assertThat(e.retryable()).isTrue());
        assertThat(server.getRequestCount()).as("tried again, as any read").isEqualTo(3);
    }
}
