package fusion.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import fusion.intake.RequestFieldException;
import fusion.intake.RequestJson;
import fusion.intake.RequestValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** schemas/json/fusion-request.schema.json describes the JSON requests that RequestJson reads, for readers in other languages. */
class RequestSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema REQUEST = ResultSchemaConformanceTest.schema("fusion-request.schema.json");

    /** Every form RequestJson takes. */
    private static final List<String> FORMS = List.of(
            "{\"prompt\": \"Is coffee healthy?\"}",
            "{\"request_id\": \"r1\", \"prompt\": \"q\", \"analysis_models\": [\"openai/gpt-5\", \"anthropic/claude-opus-4.5\"], \"model\": \"openai/gpt-5\"}",
            "{\"id\": 42, \"prompt\": \"q\", \"row\": 7, \"source\": \"survey\"}",
            "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"q\"}]}",
            "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"one\"}, {\"type\": \"text\", \"text\": \"two\"}]}]}",
            "{\"prompt\": \"q\", \"tools\": [\"web_search\", {\"type\": \"openrouter:web_fetch\"}], \"max_tool_calls\": 4}",
            "{\"prompt\": \"q\", \"tools\": []}",
            "{\"prompt\": \"q\", \"reasoning\": {\"effort\": \"high\", \"max_tokens\": 2000}, \"max_completion_tokens\": 800, \"temperature\": 0.7}",
            "{\"prompt\": \"q\", \"final_model\": \"openai/gpt-5\", \"turn_id\": \"turn-1\", \"preset\": \"general-budget\"}",
            "{\"prompt\": \"q\", \"metadata\": {\"dataset\": \"faq\", \"row\": 3, \"checked\": true}}",
            "{\"prompt\": \"q\", \"model\": \"openai/gpt-5\", \"panel_responses\": [{\"model\": \"a/one\", \"content\": \"yes\"},"
                    + " {\"model\": \"b/two\", \"content\": \"no\", \"usage\": {\"prompt_tokens\": 12, \"completion_tokens\": 40, \"cost\": 0.001}}]}");

    private static List<String> problems(JsonNode request) {
        return REQUEST.validate(request).stream().map(Object::toString).toList();
    }

    @Test
    @DisplayName("every line of examples/questions.jsonl matches fusion-request.schema.json")
    void exampleQuestions() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("..", "examples", "questions.jsonl"));
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            if (line.isBlank()) continue;
            assertThat(problems(JSON.readTree(line))).as(line).isEmpty();
        }
    }

    @Test
    @DisplayName("every JSON form RequestJson reads (prompt, messages, content parts, numeric id, tool objects, reasoning, metadata, panel_responses) matches the schema")
    void everyFormRequestJsonReads() throws Exception {
        RequestValidator validator = new RequestValidator(fusion.intake.FusionDefaults.standard());
        for (String form : FORMS) {
            assertThat(validator.validate(RequestJson.parse(form)).valid()).as("RequestJson takes %s", form).isTrue();
            assertThat(problems(JSON.readTree(form))).as(form).isEmpty();
        }
    }

    @Test
    @DisplayName("what RequestJson or the validator refuses, the schema refuses: prompt and messages both, neither, 9 models, temperature 3, "
            + "an unknown tool, a blank id, a wrongly typed field, a supplied answer without content or with a negative cost")
    void refusedAlike() throws Exception {
        RequestValidator validator = new RequestValidator(fusion.intake.FusionDefaults.standard());
        for (String bad : List.of(
                "{\"prompt\": \"q\", \"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}",
                "{\"analysis_models\": [\"a/one\"]}",
                "{\"prompt\": \"q\", \"analysis_models\": [\"m1\", \"m2\", \"m3\", \"m4\", \"m5\", \"m6\", \"m7\", \"m8\", \"m9\"]}",
                "{\"prompt\": \"q\", \"temperature\": 3}",
                "{\"prompt\": \"q\", \"tools\": [\"code_interpreter\"]}",
                "{\"request_id\": \" \", \"prompt\": \"q\"}",
                "{\"prompt\": \"q\", \"temperature\": \"hot\"}",
                "{\"prompt\": \"q\", \"panel_responses\": [{\"model\": \"a/one\"}]}",
                "{\"prompt\": \"q\", \"panel_responses\": [{\"model\": \"a/one\", \"content\": \"yes\", \"usage\": {\"cost\": -1}}]}")) {
            assertThat(problems(JSON.readTree(bad))).as("the schema refuses %s", bad).isNotEmpty();
            boolean refused;
            try {
                refused = !validator.validate(RequestJson.parse(bad)).valid();
            } catch (RequestFieldException e) {
                refused = true;
            }
            assertThat(refused).as("RequestJson or the validator refuses %s", bad).isTrue();
        }
    }
}
