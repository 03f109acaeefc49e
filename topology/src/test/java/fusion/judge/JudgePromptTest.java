package fusion.judge;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.schema.FusionRequest;
import fusion.schema.Message;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JudgePromptTest {

    @Test
    @DisplayName("answers appear as Response A, B… with no model names; labels map back to the models")
    void anonymised() {
        FusionRequest request = FusionRequest.newBuilder().setRequestId("r")
                .setMessages(List.of(new Message("user", "Should we rewrite in Rust?"))).build();
        JudgePrompt prompt = JudgePrompt.build(request, List.of(
                new ModelAnswer("vendor/one", "Yes, for safety."), new ModelAnswer("vendor/two", "No, cost.")));

        String user = prompt.messages().get(1).content();
        assertThat(user).contains("# Question\nShould we rewrite in Rust?").contains("# Panel responses")
                .contains("## Response A\nYes, for safety.").contains("## Response B\nNo, cost.")
                .doesNotContain("vendor/");
        assertThat(prompt.messages().get(0).content()).doesNotContain("vendor/");
        assertThat(prompt.labels()).containsEntry("Response A", "vendor/one").containsEntry("Response B", "vendor/two");
        assertThat(prompt.responseFormat().path("json_schema").path("schema").path("required")).hasSize(5);
    }
}
