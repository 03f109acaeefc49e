package fusion.judge;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.schema.FusionRequest;
import fusion.schema.Message;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JudgePromptTest {
    private static final List<ModelAnswer> THREE = List.of(new ModelAnswer("vendor/one", "Yes, for safety."),
            new ModelAnswer("vendor/two", "No, cost."), new ModelAnswer("vendor/three", "Only the hot path."));

    private static FusionRequest request(String id) {
        return FusionRequest.newBuilder().setRequestId(id).setMessages(List.of(new Message("user", "Should we rewrite in Rust?"))).build();
    }

    @Test
    @DisplayName("answers appear as Response A, B… with no model names; labels map back to the models")
    void anonymised() {
        JudgePrompt prompt = JudgePrompt.build(request("r"), THREE.subList(0, 2));

        String user = prompt.messages().get(1).content();
        assertThat(user).contains("# Question\nShould we rewrite in Rust?").contains("# Panel responses")
                .doesNotContain("vendor/");
        assertThat(prompt.messages().get(0).content()).doesNotContain("vendor/");
        assertThat(prompt.labels()).containsOnlyKeys("Response A", "Response B").containsValues("vendor/one", "vendor/two");
        String first = prompt.labels().get("Response A").equals("vendor/one") ? "Yes, for safety." : "No, cost.";
        assertThat(user).contains("## Response A\n" + first);
        assertThat(prompt.order()).containsExactly(prompt.labels().get("Response A"), prompt.labels().get("Response B"));
        assertThat(prompt.responseFormat().path("json_schema").path("schema").path("required")).hasSize(5);
    }

    @Test
    @DisplayName("one answer: the prompt, its example and the response format name Response A alone, and ask for no contradictions")
    void oneAnswerNamesOnlyItsLabel() {
        JudgePrompt prompt = JudgePrompt.build(request("r"), THREE.subList(0, 1));

        String all = prompt.messages().get(0).content() + prompt.messages().get(1).content() + prompt.responseFormat();
        assertThat(all).contains("Response A").doesNotContain("Response B").doesNotContain("Several models");
        assertThat(prompt.messages().get(1).content()).contains("\"contradictions\": []", "contradictions and partial_coverage stay []");
        assertThat(prompt.responseFormat().findValues("enum")).allSatisfy(e -> assertThat(e.toString()).isEqualTo("[\"Response A\"]"));
    }

    @Test
    @DisplayName("three answers: the example names Response A and C, and no Response D")
    void exampleNamesExistingLabels() {
        String user = JudgePrompt.build(request("r"), THREE).messages().get(1).content();

        assertThat(user).contains("\"model\": \"Response C\"").contains("The only labels are \"Response A\", \"Response B\", \"Response C\"")
                .doesNotContain("Response D");
    }

    @Test
    @DisplayName("the order the answers are shown in is shuffled per request, the same for the same id, and differs between ids")
    void shuffledPerRequestId() {
        List<String> once = JudgePrompt.build(request("req-17"), THREE).order();
        List<String> again = JudgePrompt.build(request("req-17"), THREE).order();
        Set<List<String>> orders = new HashSet<>();
        IntStream.range(0, 40).forEach(i -> orders.add(JudgePrompt.build(request("req-" + i), THREE).order()));

        assertThat(again).isEqualTo(once);
        assertThat(once).containsExactlyInAnyOrder("vendor/one", "vendor/two", "vendor/three");
        // 40 ids over the 6 orders of three answers: a fixed order would give one, a fair shuffle all of them
        assertThat(orders).hasSize(6);
        assertThat(orders.stream().map(o -> o.get(0))).contains("vendor/one", "vendor/two", "vendor/three");
    }
}
