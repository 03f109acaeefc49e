package fusion.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.model.ChatMessage;
import fusion.schema.FusionRequest;
import fusion.schema.Message;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * The judge's prompt. Answers are shown as "Response A", "Response B"… so the judge weighs what
 * was said, not who said it; {@link #labels()} maps each label back to its model.
 */
public final class JudgePrompt {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SYSTEM = """
            You are the analyst of a panel of AI models. %s answered the same question \
            independently. Compare their responses; do not merge them or pick a winner. Treat what all \
            or most responses agree on as higher-confidence consensus, surface contradictions with each \
            response's stance, note points only some responses covered, preserve insights that only one \
            response raised, and flag important aspects that none of them addressed. Refer to responses \
            only by their labels (%s). Reply with one JSON object and nothing else.""";

    private final List<ChatMessage> messages;
    private final Map<String, String> labels;
    private final List<String> order;

    private JudgePrompt(List<ChatMessage> messages, Map<String, String> labels, List<String> order) {
        this.messages = messages;
        this.labels = labels;
        this.order = order;
    }

    /**
     * The answers are shown in an order shuffled per request, seeded by its id: a judge's position bias then falls on a
     * different model from request to request, and the same request always gets the same prompt (a restart, a rerun).
     */
    public static JudgePrompt build(FusionRequest request, List<ModelAnswer> answers) {
        List<ModelAnswer> shown = shuffled(answers, request.getRequestId());
        Map<String, String> labels = new LinkedHashMap<>();
        StringBuilder user = new StringBuilder("# Question\n").append(question(request)).append("\n\n# Panel responses\n");
        for (int i = 0; i < shown.size(); i++) {
            String label = label(i);
            labels.put(label, shown.get(i).model());
            user.append("\n## ").append(label).append('\n').append(shown.get(i).content().strip()).append('\n');
        }
        List<String> names = List.copyOf(labels.keySet());
        user.append('\n').append(task(names));
        String system = SYSTEM.formatted(shown.size() == 1 ? "One model" : shown.size() + " models", quoted(names));
        return new JudgePrompt(List.of(ChatMessage.system(system), ChatMessage.user(user.toString())), Map.copyOf(labels),
                shown.stream().map(ModelAnswer::model).toList());
    }

    /** The same order for the same request id on any JVM: String.hashCode and java.util.Random are both specified. */
    static List<ModelAnswer> shuffled(List<ModelAnswer> answers, String requestId) {
        List<ModelAnswer> out = new ArrayList<>(answers);
        Collections.shuffle(out, new Random(requestId.hashCode()));
        return out;
    }

    /** The output instructions, whose example names only labels that exist: a judge copies the example's labels. */
    static String task(List<String> labels) {
        String first = labels.get(0);
        String last = labels.get(labels.size() - 1);
        StringBuilder t = new StringBuilder("# Output\nReturn exactly this JSON shape:\n");
        t.append("{\"consensus\": [\"point most responses agree on\"],\n");
        if (labels.size() == 1) {
            t.append(" \"contradictions\": [],\n \"partial_coverage\": [],\n");
        } else {
            t.append(" \"contradictions\": [{\"topic\": \"...\", \"stances\": [{\"model\": \"").append(first)
                    .append("\", \"stance\": \"...\"}, {\"model\": \"").append(last).append("\", \"stance\": \"...\"}]}],\n");
            t.append(" \"partial_coverage\": [{\"models\": [\"").append(first).append("\"], \"point\": \"covered by only some\"}],\n");
        }
        t.append(" \"unique_insights\": [{\"model\": \"").append(last).append("\", \"insight\": \"raised by only this response\"}],\n");
        t.append(" \"blind_spots\": [\"what no response addressed\"]}\n");
        t.append("Every key must be present; use [] when there is nothing to report. ");
        t.append(labels.size() == 1
                ? "There is one response, " + first + ": it has nothing to contradict or cover partially, so contradictions and partial_coverage stay []."
                : "The only labels are " + quoted(labels) + "; name no other.");
        return t.toString();
    }

    private static String quoted(List<String> labels) {
        return labels.stream().map(l -> "\"" + l + "\"").collect(Collectors.joining(", "));
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

    /** The panel models in the order the judge sees their answers: Response A's first. */
    public List<String> order() {
        return order;
    }

    /**
     * Structured output for providers that support it; others get the same shape from the prompt. Its model fields take
     * only the labels that exist, so a provider that enforces the schema cannot name a response that is not there.
     */
    public JsonNode responseFormat() {
        return responseFormatNode(List.copyOf(new java.util.TreeSet<>(labels.keySet())));
    }

    private static JsonNode responseFormatNode(List<String> labels) {
        ObjectNode label = string();
        labels.forEach(label.putArray("enum")::add);
        ObjectNode stringArray = JSON.createObjectNode().put("type", "array");
        stringArray.putObject("items").put("type", "string");
        ObjectNode schema = object();
        ObjectNode props = schema.putObject("properties");
        props.set("consensus", stringArray);
        ObjectNode stance = object();
        stance.putObject("properties").<ObjectNode>set("model", label).set("stance", string());
        stance.putArray("required").add("model").add("stance");
        ObjectNode contradiction = object();
        contradiction.putObject("properties").<ObjectNode>set("topic", string()).set("stances", arrayOf(stance));
        contradiction.putArray("required").add("topic").add("stances");
        props.set("contradictions", arrayOf(contradiction));
        ObjectNode partial = object();
        partial.putObject("properties").<ObjectNode>set("models", arrayOf(label.deepCopy())).set("point", string());
        partial.putArray("required").add("models").add("point");
        props.set("partial_coverage", arrayOf(partial));
        ObjectNode unique = object();
        unique.putObject("properties").<ObjectNode>set("model", label.deepCopy()).set("insight", string());
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
