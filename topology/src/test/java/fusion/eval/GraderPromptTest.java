package fusion.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.schema.FusionResult;
import fusion.schema.ModelResponse;
import fusion.schema.ResultStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The grader's prompt and how its answers are read, against a scripted provider on loopback. */
class GraderPromptTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final MockWebServer server = new MockWebServer();
    private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
    /** What the scripted grader answers, by the answer it is shown. */
    private final Map<String, String> script = new LinkedHashMap<>();

    @BeforeEach
    void start() throws Exception {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                try {
                    JsonNode body = JSON.readTree(request.getBody().utf8());
                    bodies.add(body);
                    String user = body.get("messages").get(1).get("content").asText();
                    String reply = script.entrySet().stream().filter(e -> user.endsWith(e.getKey() + "\n")).map(Map.Entry::getValue).findFirst()
                            .orElse("no idea");
                    var completion = JSON.createObjectNode().put("id", "gen-1").put("model", body.get("model").asText());
                    completion.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject("message")
                            .put("role", "assistant").put("content", reply);
                    completion.putObject("usage").put("prompt_tokens", 50).put("completion_tokens", 10).put("cost", 0.0001);
                    return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(JSON.writeValueAsString(completion)).build();
                } catch (Exception e) {
                    return new MockResponse.Builder().code(500).body("{\"error\":{\"code\":500,\"message\":\"" + e + "\"}}").build();
                }
            }
        });
        server.start(java.net.InetAddress.getLoopbackAddress(), 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    @DisplayName("grader answers as JSON, fenced JSON among prose, 'Score: 4/5', out of range, no score → 0.9, 0.5, 0.8, no grade, no grade")
    void gradesFromScriptedAnswers() {
        script.put("answer one", "{\"score\": 0.9, \"reason\": \"all but one point\"}");
        script.put("answer two", "Here is my grade:\n```json\n{\"score\": 0.5, \"reason\": \"half\"}\n```");
        script.put("answer three", "Score: 4/5 - nearly complete");
        script.put("answer four", "{\"score\": 7, \"reason\": \"out of ten\"}");
        script.put("answer five", "It is a fine answer.");
        FusionResult r = FusionResult.newBuilder().setRequestId("q1").setStatus(ResultStatus.ok).setJudgeModel("j/judge")
                .setFinalAnswer("answer five")
                .setResponses(new ArrayList<>(List.of(new ModelResponse("m/one", "answer one"), new ModelResponse("m/two", "answer two"),
                        new ModelResponse("m/three", "answer three"), new ModelResponse("m/four", "answer four"))))
                .build();

        Evaluation.Outcome outcome;
        try (OpenAiChatClient client = new OpenAiChatClient(ProviderRoutes.single("scripted", "http://127.0.0.1:" + server.getPort() + "/v1", null),
                Duration.ofSeconds(10))) {
            outcome = new Evaluation(client, "g/grader", null, null).grade(Map.of("q1", r),
                    Map.of("q1", new GoldAnswers.Gold("the gold answer", null)), Map.of("q1", "What is the answer?"));
        }

        Map<String, Evaluation.Grade> byAnswer = new LinkedHashMap<>();
        outcome.grades().forEach(g -> byAnswer.put(g.answer(), g));
        assertThat(byAnswer.get("m/one").score()).isEqualTo(0.9);
        assertThat(byAnswer.get("m/one").reason()).isEqualTo("all but one point");
        assertThat(byAnswer.get("m/two").score()).isEqualTo(0.5);
        assertThat(byAnswer.get("m/three").score()).isEqualTo(0.8);
        assertThat(byAnswer.get("m/four").score()).isNull();
        assertThat(byAnswer.get("m/four").failure()).isEqualTo("grader_score_out_of_range: 7.0");
        assertThat(byAnswer.get(Evaluation.FUSED).failure()).isEqualTo("grader_no_score");
        assertThat(byAnswer.get("m/one").gradingCost()).isEqualTo(0.0001);

        assertThat(bodies).hasSize(5);
        JsonNode first = bodies.get(0);
        assertThat(first.get("model").asText()).isEqualTo("g/grader");
        assertThat(first.get("temperature").asDouble()).isZero();
        assertThat(first.get("messages").get(0).get("content").asText()).contains("Reply with only a JSON object");
        String user = bodies.stream().map(b -> b.get("messages").get(1).get("content").asText()).filter(u -> u.endsWith("answer one\n")).findFirst().orElseThrow();
        assertThat(user).isEqualTo("# Question\nWhat is the answer?\n\n# Gold answer\nthe gold answer\n\n# Answer to grade\nanswer one\n");
        assertThat(user).as("the grader never sees which model answered").doesNotContain("m/one");
    }

    @Test
    @DisplayName("panel answers that are short labels → a majority vote; a tie or a long answer → none")
    void majorityOfShortLabels() {
        assertThat(Evaluation.majority(List.of(new ModelResponse("a", "Paris."), new ModelResponse("b", "paris"), new ModelResponse("c", "Lyon"))))
                .isEqualTo("Paris.");
        assertThat(Evaluation.majority(List.of(new ModelResponse("a", "Paris"), new ModelResponse("b", "Lyon")))).isNull();
        assertThat(Evaluation.majority(List.of(new ModelResponse("a", "Paris is the capital of France, since 987"),
                new ModelResponse("b", "Paris")))).isNull();
    }

    @Test
    @DisplayName("a grader answer that is empty → no grade, grader_empty_completion")
    void emptyAnswer() {
        assertThat(GraderPrompt.parse("  ").failure()).isEqualTo("grader_empty_completion");
    }
}
