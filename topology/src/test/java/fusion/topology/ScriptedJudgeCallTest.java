package fusion.topology;

import static fusion.topology.Requests.ask;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.schema.FusionResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the judge is actually sent, seen by a scripted chat-completions server. */
class ScriptedJudgeCallTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final MockWebServer server = new MockWebServer();
    private final List<JsonNode> judgeCalls = new CopyOnWriteArrayList<>();
    private final List<JsonNode> panelCalls = new CopyOnWriteArrayList<>();
    /**
     * What the judge answers. This one names Response A and B whatever the panel, as a judge that follows a prompt's
     * example rather than its answers would; an independent OpenRouter stand-in answered so.
     */
    private volatile String judgeReply = "{\"consensus\":[\"both favour tests\"],\"contradictions\":[{\"topic\":\"speed\","
            + "\"stances\":[{\"model\":\"Response A\",\"stance\":\"fast\"},{\"model\":\"Response B\",\"stance\":\"slow\"}]}],"
            + "\"partial_coverage\":[],\"unique_insights\":[{\"model\":\"Response B\",\"insight\":\"cost\"}],\"blind_spots\":[\"security\"]}";
    private OpenAiChatClient client;
    private PipelineDriver pipeline;

    @BeforeEach
    void start() throws Exception {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                try {
                    JsonNode body = JSON.readTree(request.getBody().utf8());
                    String model = body.get("model").asText();
                    String prompt = body.get("messages").get(body.get("messages").size() - 1).get("content").asText();
                    if (prompt.contains("# Panel responses")) {
                        judgeCalls.add(body);
                        return completion(model, judgeReply);
                    }
                    panelCalls.add(body);
                    if (prompt.contains("cite") && body.has("tools")) {
                        // OpenRouter ran its web tools: the answer cites pages, and usage says how many tool calls it made
                        return completion(model, "Answer from " + model + ": see the sources.", List.of("https://kafka.apache.org/blog",
                                "https://example.org/" + model.replace('/', '-')), 2);
                    }
                    return completion(model, "Answer from " + model + ": tests matter.");
                } catch (Exception e) {
                    return new MockResponse.Builder().code(500).body("{\"error\":{\"code\":500,\"message\":\"" + e + "\"}}").build();
                }
            }
        });
        server.start();
        // a provider that runs server tools, as OpenRouter does
        ProviderRoutes routes = ProviderRoutes.fromProperties(java.util.Map.of("fusion.providers", "scripted", "fusion.provider.default", "scripted",
                "fusion.provider.scripted.base-url", server.url("/v1").toString(), "fusion.provider.scripted.api-key", "sk-test-secret",
                "fusion.provider.scripted.server-tools", "true"), name -> null);
        client = new OpenAiChatClient(routes, Duration.ofSeconds(10));
        pipeline = new PipelineDriver(client, PipelineSettings.defaults());
    }

    @AfterEach
    void stop() throws Exception {
        pipeline.close();
        client.close();
        server.close();
    }

    private static MockResponse completion(String model, String content) throws Exception {
        return completion(model, content, List.of(), 0);
    }

    private static MockResponse completion(String model, String content, List<String> cited, int serverToolCalls) throws Exception {
        var body = JSON.createObjectNode();
        body.put("id", "gen-1").put("object", "chat.completion").put("model", model);
        var choice = body.putArray("choices").addObject();
        var message = choice.putObject("message").put("role", "assistant").put("content", content);
        if (!cited.isEmpty()) {
            var annotations = message.putArray("annotations");
            cited.forEach(url -> annotations.addObject().put("type", "url_citation").putObject("url_citation").put("url", url).put("title", url));
        }
        choice.put("finish_reason", "stop");
        var usage = body.putObject("usage").put("prompt_tokens", 10).put("completion_tokens", 5).put("total_tokens", 15).put("cost", 0.0001);
        if (serverToolCalls > 0) usage.putObject("server_tool_use").put("tool_calls_executed", serverToolCalls);
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(JSON.writeValueAsString(body)).build();
    }

    @Test
    @DisplayName("the judge sees responses anonymised as Response A, B, at temperature 0; the result maps labels back")
    void judgeSeesAnonymisedResponses() {
        pipeline.submit(ask("s1", "Is TDD worth it?", "vendor/model-one", "vendor/model-two").setModel("vendor/judge")
                .setTemperature(1.3).build());

        FusionResult result = pipeline.awaitResult("s1");

        assertThat(judgeCalls).hasSize(1);
        JsonNode judge = judgeCalls.get(0);
        String sent = judge.get("messages").toString();
        assertThat(judge.get("model").asText()).isEqualTo("vendor/judge");
        assertThat(judge.get("temperature").asDouble()).isZero();
        assertThat(sent).contains("## Response A").contains("## Response B").contains("Is TDD worth it?");
        assertThat(sent).doesNotContain("\"vendor/model-one\"").doesNotContain("model-two\\n");
        // Response A is whichever model the request's shuffle put first, and the result says which that was.
        List<String> order = result.getJudgeOrder();
        assertThat(order).containsExactlyInAnyOrder("vendor/model-one", "vendor/model-two");
        var contradiction = result.getAnalysis().getContradictions().get(0);
        assertThat(contradiction.getStances()).extracting(s -> s.getModel()).containsExactly(order.get(0), order.get(1));
        assertThat(result.getAnalysis().getUniqueInsights().get(0).getModel()).isEqualTo(order.get(1));
        assertThat(result.getAnalysis().getBlindSpots()).containsExactly("security");
        assertThat(result.getJudgeWarnings()).isEmpty();
    }

    @Test
    @DisplayName("a panel with one usable answer: the judge's prompt names only Response A, and the analysis is kept without "
            + "what named a Response B, which judge_warnings lists")
    void oneUsableAnswerKeepsItsAnalysis() {
        pipeline.submit(ask("one-1", "Is TDD worth it?", "vendor/model-one").setModel("vendor/judge").build());

        FusionResult result = pipeline.awaitResult("one-1");

        String sent = judgeCalls.get(0).get("messages").toString();
        assertThat(sent).contains("## Response A").doesNotContain("Response B");
        assertThat(judgeCalls.get(0).path("response_format").toString()).doesNotContain("Response B");
        assertThat(result.getJudgeFailure()).isNull();
        assertThat(result.getAnalysis().getConsensus()).containsExactly("both favour tests");
        assertThat(result.getAnalysis().getBlindSpots()).containsExactly("security");
        assertThat(result.getAnalysis().getContradictions()).isEmpty();
        assertThat(result.getAnalysis().getUniqueInsights()).isEmpty();
        assertThat(result.getJudgeWarnings()).hasSize(2).allSatisfy(w -> assertThat(w).contains("'Response B', which is none of [Response A]"));
        assertThat(result.getJudgeWarnings()).anySatisfy(w -> assertThat(w).startsWith("contradictions[0]"))
                .anySatisfy(w -> assertThat(w).startsWith("unique_insights[0]"));
        assertThat(result.getJudgeOrder()).containsExactly("vendor/model-one");
        var json = fusion.results.ResultJson.toNode(result);
        assertThat(json.path("judge_warnings")).hasSize(2);
        assertThat(json.path("judge_order").get(0).asText()).isEqualTo("vendor/model-one");
    }

    @Test
    @DisplayName("a judge whose every entry names a response that does not exist → no analysis, judge_schema_mismatch listing them")
    void nothingValidLeftGivesUp() {
        judgeReply = "{\"consensus\":[],\"contradictions\":[],\"partial_coverage\":[],"
                + "\"unique_insights\":[{\"model\":\"Response C\",\"insight\":\"cost\"}],\"blind_spots\":[]}";
        pipeline.submit(ask("none-1", "Is TDD worth it?", "vendor/model-one", "vendor/model-two").setModel("vendor/judge").build());

        FusionResult result = pipeline.awaitResult("none-1");

        assertThat(result.getAnalysis()).isNull();
        assertThat(result.getJudgeFailure().getReason()).isEqualTo("judge_schema_mismatch");
        assertThat(result.getJudgeFailure().getMessage()).contains("nothing valid is left", "unique_insights[0].model is 'Response C'");
    }

    @Test
    @DisplayName("panel calls carry the request's temperature; usage and cost land in the result's call ledger")
    void panelCallsCarryTemperatureAndUsage() {
        pipeline.submit(ask("s2", "q", "vendor/model-one").setModel("vendor/judge").setTemperature(1.3).build());

        FusionResult result = pipeline.awaitResult("s2");

        assertThat(panelCalls).singleElement().satisfies(call -> assertThat(call.get("temperature").asDouble()).isEqualTo(1.3));
        assertThat(result.getCalls()).hasSize(2);
        assertThat(result.getCalls().get(0).getUsage().getCost()).isEqualTo(0.0001);
        assertThat(result.getCalls().get(0).getUsage().getPromptTokens()).isEqualTo(10);
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    @DisplayName("tools [web_search, web_fetch] → every panel call and the judge call offer openrouter:web_search and openrouter:web_fetch")
    void webToolsReachPanelAndJudge() {
        pipeline.submit(ask("tools-1", "What changed in EU AI rules this year?", "p/one", "p/two")
                .setTools(new java.util.ArrayList<>(List.of("web_search", "web_fetch"))).build());

        pipeline.awaitResult("tools-1");

        assertThat(panelCalls).hasSize(2);
        assertThat(judgeCalls).hasSize(1);
        for (JsonNode call : List.of(panelCalls.get(0), panelCalls.get(1), judgeCalls.get(0))) {
            assertThat(call.path("tools").findValuesAsText("type")).containsExactly("openrouter:web_search", "openrouter:web_fetch");
        }
    }

    @Test
    @DisplayName("a request naming no tools → panel and judge bodies carry both server tools and max_tool_calls (the spec's default 8, or the request's)")
    void defaultToolsAndMaxToolCallsInBodies() {
        pipeline.submitJson("d-1", "{\"request_id\":\"d-1\",\"prompt\":\"What is new in Kafka?\",\"analysis_models\":[\"p/one\",\"p/two\"],"
                + "\"model\":\"p/judge\"}");
        pipeline.submitJson("d-2", "{\"request_id\":\"d-2\",\"prompt\":\"And in Flink?\",\"analysis_models\":[\"p/one\"],"
                + "\"model\":\"p/judge\",\"max_tool_calls\":3}");

        pipeline.awaitResult("d-1");
        pipeline.awaitResult("d-2");

        assertThat(panelCalls).hasSize(3);
        assertThat(judgeCalls).hasSize(2);
        List<JsonNode> all = new java.util.ArrayList<>(panelCalls);
        all.addAll(judgeCalls);
        for (JsonNode call : all) {
            assertThat(call.path("tools").findValuesAsText("type")).containsExactly("openrouter:web_search", "openrouter:web_fetch");
            String prompt = call.toString();
            assertThat(call.path("max_tool_calls").asInt()).isEqualTo(prompt.contains("Flink") ? 3 : 8);
        }
    }

    @Test
    @DisplayName("\"tools\": [] → no tools in any call: the models answer from what they know")
    void noToolsNoToolsSent() {
        pipeline.submit(ask("tools-0", "Compare A and B", "p/one").build());
        pipeline.submitJson("tools-00", "{\"request_id\":\"tools-00\",\"prompt\":\"Compare C and D\",\"analysis_models\":[\"p/one\"],"
                + "\"model\":\"p/judge\",\"tools\":[]}");

        pipeline.awaitResult("tools-0");
        FusionResult result = pipeline.awaitResult("tools-00");

        assertThat(panelCalls).hasSize(2).allSatisfy(call -> {
            assertThat(call.has("tools")).isFalse();
            assertThat(call.has("max_tool_calls")).isFalse();
        });
        assertThat(judgeCalls).hasSize(2).allSatisfy(call -> assertThat(call.has("tools")).isFalse());
        assertThat(result.getSources()).isEmpty();
    }

    @Test
    @DisplayName("OpenRouter's url_citation annotations become the result's sources, one per URL with the models that used it; server_tool_use counts as tool calls")
    void openRouterCitationsBecomeSources() {
        pipeline.submit(ask("cite-1", "Please cite what changed", "p/one", "p/two")
                .setTools(new java.util.ArrayList<>(List.of("web_search", "web_fetch"))).build());

        FusionResult result = pipeline.awaitResult("cite-1");

        assertThat(result.getSources()).extracting(s -> s.getUrl())
                .containsExactly("https://kafka.apache.org/blog", "https://example.org/p-one", "https://example.org/p-two");
        assertThat(result.getSources().get(0).getModels()).containsExactly("p/one", "p/two");
        assertThat(result.getSources().get(1).getModels()).containsExactly("p/one");
        assertThat(result.getCalls()).filteredOn(c -> c.getStage().equals("panel"))
                .allSatisfy(c -> assertThat(c.getUsage().getToolCalls()).isEqualTo(2));
        JsonNode json = fusion.results.ResultJson.toNode(result);
        assertThat(json.path("sources").get(0).path("url").asText()).isEqualTo("https://kafka.apache.org/blog");
        assertThat(json.path("sources").get(0).path("models")).hasSize(2);
        assertThat(json.path("usage").path("panel").path("tool_calls").asInt()).isEqualTo(4);
    }
}
