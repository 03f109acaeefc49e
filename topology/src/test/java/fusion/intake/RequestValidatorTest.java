package fusion.intake;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.schema.FusionRequest;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {
    private final RequestValidator validator = new RequestValidator(
            new FusionDefaults(List.of("p/one", "p/two"), "p/judge", 8));

    private String error(String json) {
        RequestValidator.Verdict v = validator.validate(RequestJson.parse(json));
        assertThat(v.valid()).as("expected %s to be invalid", json).isFalse();
        return v.errorMessage();
    }

    @Test
    @DisplayName("left-out panel, judge and max_tool_calls → the configured defaults")
    void defaults() {
        RequestValidator.Verdict v = validator.validate(RequestJson.parse("{\"id\":\"a\",\"prompt\":\"q\"}"));

        assertThat(v.valid()).isTrue();
        FusionRequest r = v.request();
        assertThat(r.getAnalysisModels()).containsExactly("p/one", "p/two");
        assertThat(r.getModel()).isEqualTo("p/judge");
        assertThat(r.getMaxToolCalls()).isEqualTo(8);
    }

    @Test
    @DisplayName("a request naming no tools gets both web tools, as the spec runs them; \"tools\": [] keeps none; a run's default of none leaves no tools")
    void toolDefaults() {
        assertThat(validator.validate(RequestJson.parse("{\"id\":\"a\",\"prompt\":\"q\"}")).request().getTools())
                .containsExactly("web_search", "web_fetch");
        assertThat(validator.validate(RequestJson.parse("{\"id\":\"a\",\"prompt\":\"q\",\"tools\":null}")).request().getTools())
                .containsExactly("web_search", "web_fetch");
        assertThat(validator.validate(RequestJson.parse("{\"id\":\"a\",\"prompt\":\"q\",\"tools\":[]}")).request().getTools()).isEmpty();
        assertThat(validator.validate(RequestJson.parse("{\"id\":\"a\",\"prompt\":\"q\",\"tools\":[\"web_fetch\"]}")).request().getTools())
                .containsExactly("web_fetch");

        RequestValidator noTools = new RequestValidator(new FusionDefaults(List.of("p/one"), "p/judge", 8).withTools(List.of()));
        assertThat(noTools.validate(RequestJson.parse("{\"id\":\"a\",\"prompt\":\"q\"}")).request().getTools()).isEmpty();
        assertThat(noTools.validate(RequestJson.parse("{\"id\":\"a\",\"prompt\":\"q\",\"tools\":[\"web_search\"]}")).request().getTools())
                .containsExactly("web_search");
    }

    @Test
    @DisplayName("each out-of-range field → a message naming it and its allowed range")
    void ranges() {
        assertThat(error("{\"prompt\":\"q\",\"temperature\":3}")).isEqualTo("temperature is 3.0; it must be between 0 and 2");
        assertThat(error("{\"prompt\":\"q\",\"analysis_models\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]}"))
                .contains("analysis_models has 9 models").contains("1 to 8");
        assertThat(error("{\"prompt\":\"q\",\"analysis_models\":[\"a\",\"a\"]}")).contains("'a' twice");
        assertThat(error("{\"prompt\":\"q\",\"max_tool_calls\":17}")).contains("max_tool_calls is 17").contains("between 1 and 16");
        assertThat(error("{\"prompt\":\"q\",\"max_completion_tokens\":0}")).contains("max_completion_tokens");
        assertThat(error("{\"prompt\":\"q\",\"reasoning\":{\"effort\":\"huge\"}}")).contains("reasoning.effort is 'huge'");
        assertThat(error("{\"prompt\":\"q\",\"tools\":[\"code_interpreter\"]}")).contains("tools lists 'code_interpreter'");
        assertThat(error("{\"id\":\"x\"}")).startsWith("messages is empty");
        assertThat(error("{\"messages\":[{\"role\":\"system\",\"content\":\"hi\"}]}")).contains("no user message");
        assertThat(error("{\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}]}")).contains("messages[0].role is 'robot'");
    }

    @Test
    @DisplayName("a request a connector built from a row with no request in it → invalid, with the connector's message about the row")
    void rowProblem() {
        String row = "{\"id\":\"r1\",\"metadata\":{\"" + RequestValidator.ROW_PROBLEM + "\":\"the row has no prompt: its 'question' column is empty\"}}";

        assertThat(error(row)).isEqualTo("the row has no prompt: its 'question' column is empty");
    }

    @Test
    @DisplayName("no default panel configured and none given → analysis_models error saying how to fix it")
    void noPanelAnywhere() {
        RequestValidator bare = new RequestValidator(new FusionDefaults(List.of(), "j", 8));

        assertThat(bare.validate(RequestJson.parse("{\"prompt\":\"q\"}")).errorMessage())
                .contains("analysis_models is empty").contains("fusion.panel.default-models");
    }

    @Test
    @DisplayName("preset general-budget → its panel and judge; explicit analysis_models and model still win")
    void presets() {
        FusionRequest budget = validator.validate(RequestJson.parse("{\"prompt\":\"q\",\"preset\":\"general-budget\"}")).request();
        Preset expected = Preset.standard().get(Preset.BUDGET);
        assertThat(budget.getAnalysisModels()).isEqualTo(expected.panelModels());
        assertThat(budget.getModel()).isEqualTo(expected.judgeModel());

        FusionRequest overridden = validator.validate(RequestJson.parse(
                "{\"prompt\":\"q\",\"preset\":\"general-fast\",\"analysis_models\":[\"x/one\"],\"model\":\"x/judge\"}")).request();
        assertThat(overridden.getAnalysisModels()).containsExactly("x/one");
        assertThat(overridden.getModel()).isEqualTo("x/judge");
    }

    @Test
    @DisplayName("unknown preset → invalid, naming the field and the presets there are")
    void unknownPreset() {
        assertThat(error("{\"prompt\":\"q\",\"preset\":\"general-huge\"}"))
                .startsWith("preset is 'general-huge'").contains("general-budget", "general-fast", "general-high");
    }
}
