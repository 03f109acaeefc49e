package fusion.model.batch;

import static fusion.model.batch.OpenRouterBatchApiTest.FAST;
import static fusion.model.batch.OpenRouterBatchApiTest.JSON;
import static fusion.model.batch.OpenRouterBatchApiTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import fusion.model.ChatMessage;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.FailureKind;
import fusion.model.ProviderConfig;
import java.io.IOException;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Anthropic's Message Batches API against a scripted server answering as its API reference shows. */
class AnthropicBatchApiTest {
    static final String KEY = "sk-ant-api03-anthropicanthropic0123456789";
    static final String MODEL = "claude-sonnet-4-5";

    MockWebServer server;
    AnthropicBatchApi api;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        api = new AnthropicBatchApi(ProviderConfig.of("anthropic", server.url("/v1").toString(), KEY), HttpClient.newHttpClient(), FAST,
                BatchCost.REPORTED_ONLY);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static String batch(String status, String cancelInitiated, int processing, int succeeded, int errored, int canceled, int expired) {
        return """
                {"id": "msgbatch_013Zva2CMHLNnXjNJJKqJ2EF", "type": "message_batch", "processing_status": "%s",
                 "request_counts": {"processing": %d, "succeeded": %d, "errored": %d, "canceled": %d, "expired": %d},
                 "ended_at": null, "created_at": "2024-08-20T18:37:24.100435Z", "expires_at": "2024-08-21T18:37:24.100435Z",
                 "archived_at": null, "cancel_initiated_at": %s,
                 "results_url": "https://api.anthropic.com/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF/results"}"""
                .formatted(status, processing, succeeded, errored, canceled, expired, cancelInitiated == null ? "null" : "\"" + cancelInitiated + "\"");
    }

    static String succeeded(String customId, String text) {
        return ("{\"custom_id\": \"%s\", \"result\": {\"type\": \"succeeded\", \"message\": {\"id\": \"msg_1\", \"type\": \"message\", "
                + "\"role\": \"assistant\", \"model\": \"%s\", \"content\": [{\"type\": \"text\", \"text\": \"%s\"}], \"stop_reason\": \"end_turn\", "
                + "\"usage\": {\"input_tokens\": 10, \"output_tokens\": 25}}}}").formatted(customId, MODEL, text);
    }

    RecordedRequest take() throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        return r;
    }

    @Test
    @DisplayName("submit: POST /messages/batches with x-api-key and anthropic-version; params in the Messages shape, system apart")
    void submit() throws Exception {
        server.enqueue(json(200, batch("in_progress", null, 1, 0, 0, 0, 0)));
        ChatRequest request = ChatRequest.of(MODEL, List.of(ChatMessage.system("Be brief."), ChatMessage.user("What is Kafka?")))
                .withTemperature(0.2).withMaxCompletionTokens(800);

        SubmittedBatch sent = api.submit(MODEL, List.of(new BatchLine("row-1_panel_0", request)));

        assertThat(sent.batchId()).isEqualTo("msgbatch_013Zva2CMHLNnXjNJJKqJ2EF");
        RecordedRequest r = take();
        assertThat(r.getUrl().encodedPath()).isEqualTo("/v1/messages/batches");
        assertThat(r.getHeaders().get("x-api-key")).isEqualTo(KEY);
        assertThat(r.getHeaders().get("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(r.getHeaders().get("Authorization")).isNull();
        JsonNode params = JSON.readTree(r.getBody().utf8()).path("requests").get(0).path("params");
        assertThat(params).isEqualTo(JSON.readTree("""
                {"model": "claude-sonnet-4-5", "max_tokens": 800, "system": "Be brief.",
                 "messages": [{"role": "user", "content": "What is Kafka?"}], "temperature": 0.2}"""));
    }

    @Test
    @DisplayName("a custom_id Anthropic would refuse (it allows letters, digits, _ and -) is refused before sending, naming it")
    void customIdChecked() {
        assertThatThrownBy(() -> api.submit(MODEL, List.of(new BatchLine("row:1", ChatRequest.of(MODEL, List.of(ChatMessage.user("q")))))))
                .hasMessageContaining("custom_id 'row:1'");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    @DisplayName("ended: results JSONL; succeeded lines answered, errored typed by error type, canceled and expired lines missing")
    void results() throws Exception {
        server.enqueue(json(200, batch("ended", null, 0, 1, 2, 0, 1)));
        String errored = "{\"custom_id\": \"%s\", \"result\": {\"type\": \"errored\", \"error\": {\"type\": \"error\", "
                + "\"error\": {\"type\": \"%s\", \"message\": \"%s\"}}}}";
        server.enqueue(new MockResponse.Builder().code(200).body(String.join("\n",
                succeeded("a", "Kafka is a log."),
                errored.formatted("b", "invalid_request_error", "max_tokens: must be positive"),
                errored.formatted("c", "overloaded_error", "Overloaded"),
                "{\"custom_id\": \"d\", \"result\": {\"type\": \"expired\"}}")).build());

        BatchResults got = api.results(new SubmittedBatch("anthropic", "msgbatch_013Zva2CMHLNnXjNJJKqJ2EF", MODEL, List.of("a", "b", "c", "d")));

        assertThat(got.status()).isEqualTo(BatchStatus.EXPIRED);
        Map<String, ChatOutcome> o = got.outcomes();
        assertThat(o.get("a").content()).isEqualTo("Kafka is a log.");
        assertThat(o.get("a").usage().promptTokens()).isEqualTo(10);
        assertThat(o.get("b").failure()).isEqualTo(FailureKind.BAD_REQUEST);
        assertThat(o.get("b").errorMessage()).contains("max_tokens");
        assertThat(o.get("c").failure()).isEqualTo(FailureKind.OVERLOADED);
        assertThat(got.missing()).containsExactly("d");
        take();
        assertThat(take().getUrl().encodedPath()).isEqualTo("/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF/results");
    }

    @Test
    @DisplayName("statuses: in_progress, canceling, ended after a cancel → cancelled, ended → completed; cancel posts /cancel")
    void statusesAndCancel() throws Exception {
        server.enqueue(json(200, batch("in_progress", null, 3, 1, 0, 0, 0)));
        server.enqueue(json(200, batch("canceling", "2024-08-20T19:00:00Z", 1, 1, 0, 0, 0)));
        server.enqueue(json(200, batch("ended", "2024-08-20T19:00:00Z", 0, 1, 0, 3, 0)));
        server.enqueue(json(200, batch("ended", null, 0, 4, 0, 0, 0)));
        server.enqueue(json(200, batch("canceling", "2024-08-20T19:00:00Z", 1, 1, 0, 0, 0)));

        BatchProgress first = api.poll("b");
        assertThat(first).isEqualTo(new BatchProgress("b", BatchStatus.IN_PROGRESS, 4, 1, 0, null));
        assertThat(api.poll("b").status()).isEqualTo(BatchStatus.CANCELLING);
        assertThat(api.poll("b").status()).isEqualTo(BatchStatus.CANCELLED);
        assertThat(api.poll("b").status()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(api.cancel("b")).isTrue();
        for (int i = 0; i < 4; i++) take();
        assertThat(take().getUrl().encodedPath()).isEqualTo("/v1/messages/batches/b/cancel");
    }

    @Test
    @DisplayName("a 529 overloaded poll is tried again; a 401 names the key setting and never the key")
    void errors() throws Exception {
        server.enqueue(json(529, "{\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}"));
        server.enqueue(json(200, batch("in_progress", null, 1, 0, 0, 0, 0)));
        assertThat(api.poll("b").status()).isEqualTo(BatchStatus.IN_PROGRESS);

        server.enqueue(json(401, "{\"type\": \"error\", \"error\": {\"type\": \"authentication_error\", \"message\": \"invalid x-api-key " + KEY + "\"}}"));
        assertThatThrownBy(() -> api.poll("b")).isInstanceOfSatisfying(BatchException.class, e -> {
            assertThat(e.kind()).isEqualTo(FailureKind.UNAUTHORIZED);
            assertThat(e.getMessage()).doesNotContain(KEY).contains("fusion.provider.anthropic.api-key");
        });
    }

    @Test
    @DisplayName("find finds nothing and asks nothing: Anthropic's batches carry no metadata to match a label against")
    void findEmpty() throws Exception {
        assertThat(api.find(MODEL, "run-7:chunk-0", List.of("r1"))).isEmpty();
        assertThat(server.getRequestCount()).isZero();
    }
}
