package fusion.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fusion.schema.FusionRequest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RequestJsonTest {

    @Test
    @DisplayName("the spec's parameter names are read into the request")
    void specParameters() {
        FusionRequest r = RequestJson.parse("""
                {"request_id":"r1","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"Compare X and Y"}],
                 "analysis_models":["a/one","b/two"],"model":"c/judge","final_model":"d/writer","max_tool_calls":4,
                 "max_completion_tokens":900,"reasoning":{"effort":"high","max_tokens":500},"temperature":0.7,
                 "tools":[{"type":"openrouter:web_search"},"web_fetch"],"turn_id":"t1","metadata":{"batch":"b7"}}""");

        assertThat(r.getRequestId()).isEqualTo("r1");
        assertThat(r.getMessages()).extracting(m -> m.getRole()).containsExactly("system", "user");
        assertThat(r.getAnalysisModels()).containsExactly("a/one", "b/two");
        assertThat(r.getModel()).isEqualTo("c/judge");
        assertThat(r.getFinalModel()).isEqualTo("d/writer");
        assertThat(r.getMaxToolCalls()).isEqualTo(4);
        assertThat(r.getMaxCompletionTokens()).isEqualTo(900);
        assertThat(r.getReasoning().getEffort()).isEqualTo("high");
        assertThat(r.getReasoning().getMaxTokens()).isEqualTo(500);
        assertThat(r.getTemperature()).isEqualTo(0.7);
        assertThat(r.getTools()).containsExactly("web_search", "web_fetch");
        assertThat(r.getTurnId()).isEqualTo("t1");
        assertThat(r.getMetadata()).containsEntry("batch", "b7");
    }

    @Test
    @DisplayName("a bare prompt is one user message; other columns go to metadata")
    void promptAndExtraColumns() {
        FusionRequest r = RequestJson.parse("{\"id\":42,\"prompt\":\"Why?\",\"row\":7,\"source\":\"survey\"}");

        assertThat(r.getRequestId()).isEqualTo("42");
        assertThat(r.getMessages()).singleElement().satisfies(m -> {
            assertThat(m.getRole()).isEqualTo("user");
            assertThat(m.getContent()).isEqualTo("Why?");
        });
        assertThat(r.getMetadata()).containsEntry("row", "7").containsEntry("source", "survey");
    }

    @Test
    @DisplayName("no id → derived from the row's content: same row, same id; other row, other id")
    void derivedId() {
        String a = RequestJson.parse("{\"prompt\":\"Is coffee healthy?\"}").getRequestId();
        String again = RequestJson.parse("{\"prompt\":\"Is coffee healthy?\"}").getRequestId();
        String b = RequestJson.parse("{\"prompt\":\"Is tea healthy?\"}").getRequestId();

        assertThat(a).startsWith("row-").isEqualTo(again).isNotEqualTo(b);
    }

    @Test
    @DisplayName("OpenAI content parts are read as their text")
    void contentParts() {
        FusionRequest r = RequestJson.parse("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"one\"},{\"type\":\"text\",\"text\":\"two\"}]}]}");

        assertThat(r.getMessages().get(0).getContent()).isEqualTo("one\ntwo");
    }

    @Test
    @DisplayName("a field of the wrong type → an error naming the field")
    void wrongTypes() {
        assertThatThrownBy(() -> RequestJson.parse("{\"prompt\":\"q\",\"temperature\":\"hot\"}"))
                .isInstanceOf(RequestFieldException.class).hasMessageContaining("temperature").hasMessageContaining("number");
        assertThatThrownBy(() -> RequestJson.parse("{\"prompt\":\"q\",\"analysis_models\":\"a/one\"}"))
                .hasMessageContaining("analysis_models must be an array");
        assertThatThrownBy(() -> RequestJson.parse("{\"prompt\":\"q\",\"max_tool_calls\":2.5}"))
                .hasMessageContaining("max_tool_calls").hasMessageContaining("whole number");
        assertThatThrownBy(() -> RequestJson.parse("{\"messages\":[{\"content\":\"q\"}]}"))
                .hasMessageContaining("messages[0].role");
        assertThatThrownBy(() -> RequestJson.parse("{\"prompt\":\"q\",\"messages\":[]}"))
                .hasMessageContaining("both prompt and messages");
    }
}
