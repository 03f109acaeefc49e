package fusion.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.model.ChatMessage;
import fusion.schema.FusionRequest;
import fusion.schema.Message;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The judge's prompt. Answers are shown as "Response A", "Response B"… so the judge weighs what
 * was said, not who said it; {@link #labels()} maps each label back to its model.
 */
public final class JudgePrompt {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SYSTEM = """
            You are the analyst of a panel of AI models. Several models answered the same question \
            independently. Compare their responses; do not merge them or pick a winner. Treat what all \
            or most responses agree on as higher-confidence consensus, surface contradictions with each \
            response's stance, note points only some responses covered, preserve insights that only one \
            response raised, and flag important aspects that none of them addressed. Refer to responses \
            only by their labels ("Response A", "Response B", ...). Reply with one JSON object and nothing else.""";
    static final String TASK = """
            # Output
            Return exactly this JSON shape:
            {"consensus": ["point most responses agree on"],
             "contradictions": [{"topic": "...", "stances": [{"model": "Response A", "stance": "..."}]}],
             "partial_coverage": [{"models": ["Response A", "Response B"], "point": "covered by only some"}],
             "unique_insights": [{"model": "Response B", "insight": "raised by only this response"}],
             "blind_spots": ["what no response addressed"]}
            Every key must be present; use [] when there is nothing to report.""";
    private static final JsonNode RESPONSE_FORMAT = responseFormatNode();

    private final List<ChatMessage> messages;
    private final Map<String, String> labels;

    private JudgePrompt(List<ChatMessage> messages, Map<String, String> labels) {
        this.messages = messages;
        this.labels = labels;
    }

    public static JudgePrompt build(FusionRequest request, List<ModelAnswer> answers) {
        Map<String, String> labels = new LinkedHashMap<>();
        StringBuilder user = new StringBuilder("# Question\n").append(question(request)).append("\n\n# Panel responses\n");
        for (int i = 0; i < answers.size(); i++) {
            String label = label(i);
            labels.put(label, answers.get(i).model());
            user.append("\n## ").append(label).append('\n').append(answers.get(i).content().strip()).append('\n');
        }
        user.append('\n').append(TASK);
        return new JudgePrompt(List.of(ChatMessage.system(SYSTEM), ChatMessage.user(user.toString())), Map.copyOf(labels));
    }

    /** "Response A" for the first answer, and so on; a panel has at most 8 models. */
    public static String label(int index) {
        return "Response " + (char) ('A' + index);
    }

    /** The conversation the panel answered: the last user message alone, or every turn when there were several. */
    static String question(FusionRequest request) {
        List<Message> messages = request.getMessages();
        if (messages.size() == 1) return messages.get(0).getContent().strip();
        StringBuilder out = new StringBuilder();
        for (Message m : messages) {
            if (out.length() > 0) out.append("\n\n");
            out.append("[").append(m.getRole()).append("] ").append(m.getContent().strip());
        }
        return out.toString();
    }

    public List<ChatMessage> messages() {
        return messages;
    }

    /** Label → model id. */
    public Map<String, String> labels() {
        return labels;
    }

    /** Structured output for providers that support it; others get the same shape from the prompt. */
    public JsonNode responseFormat() {
        return RESPONSE_FORMAT;
    }

    private static JsonNode responseFormatNode() {
        ObjectNode stringArray = JSON.createObjectNode().put("type", "array");
        stringArray.putObject("items").put("type", "string");
        ObjectNode schema = object();
        ObjectNode props = schema.putObject("properties");
        props.set("consensus", stringArray);
        ObjectNode stance = object();
        stance.putObject("properties").<ObjectNode>set("model", string()).set("stance", string());
        stance.putArray("required").add("model").add("stance");
        ObjectNode contradiction = object();
        contradiction.putObject("properties").<ObjectNode>set("topic", string()).set("stances", arrayOf(stance));
        contradiction.putArray("required").add("topic").add("stances");
        props.set("contradictions", arrayOf(contradiction));
        ObjectNode partial = object();
        partial.putObject("properties").<ObjectNode>set("models", stringArray.deepCopy()).set("point", string());
        partial.putArray("required").add("models").add("point");
        props.set("partial_coverage", arrayOf(partial));
        ObjectNode unique = object();
        unique.putObject("properties").<ObjectNode>set("model", string()).set("insight", string());
        unique.putArray("required").add("model").add("insight");
        props.set("unique_insights", arrayOf(unique));
        props.set("blind_spots", stringArray.deepCopy());
        schema.putArray("required").add("consensus").add("contradictions").add("partial_coverage").add("unique_insights").add("blind_spots");
        ObjectNode format = JSON.createObjectNode().put("type", "json_schema");
        format.putObject("json_schema").put("name", "fusion_analysis").put("strict", true).set("schema", schema);
        return format;
    }

    private static ObjectNode object() {
        return JSON.createObjectNode().put("type", "object").put("additionalProperties", false);
    }

    private static ObjectNode string() {
        return JSON.createObjectNode().put("type", "string");
    }

    private static ObjectNode arrayOf(ObjectNode items) {
        ObjectNode a = JSON.createObjectNode().put("type", "array");
        a.set("items", items);
        return a;
    }
}
