package fusion.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How simulated panel models use the web tools a call offers as function tools: deterministically, a
 * function of prompt and model. Half the prompts (even prompt hash) make every panel model call tools on its
 * first turn: by model, {@code web_search} of the topic, {@code web_fetch} of a page about it on the
 * simulator's own {@code /pages/}, or both at once. Once the conversation holds {@code role: tool} answers,
 * the model answers, citing what the tools gave. Judges and final-answer models never call tools.
 */
final class SimulatedToolUse {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SimulatedToolUse() {}

    /** The function tools the request offers, by name. */
    static Set<String> offered(JsonNode body) {
        Set<String> out = new java.util.LinkedHashSet<>();
        for (JsonNode t : body.path("tools")) {
            if ("function".equals(t.path("type").asText())) out.add(t.path("function").path("name").asText());
        }
        return out;
    }

    /** What the tools answered so far in the conversation. */
    static List<String> toolAnswers(JsonNode messages) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : messages) {
            if ("tool".equals(m.path("role").asText())) out.add(m.path("content").asText(""));
        }
        return out;
    }

    /**
     * The {@code tool_calls} a panel model makes on its first turn, or null when it answers at once: the prompt
     * does not send it to the web, or the request offers none of the tools it would use.
     */
    static ArrayNode calls(JsonNode body, String topic, long promptHash, long modelHash, String pagesBase) {
        if (Math.floorMod(promptHash, 2) != 0 || !toolAnswers(body.path("messages")).isEmpty()) return null;
        Set<String> offered = offered(body);
        int pick = (int) Math.floorMod(modelHash, 3);
        boolean search = offered.contains("web_search") && pick != 1;
        boolean fetch = offered.contains("web_fetch") && (pick != 0 || !offered.contains("web_search"));
        if (!search && !fetch) return null;
        ArrayNode calls = JSON.createArrayNode();
        if (search) call(calls, "call_sim_search", "web_search", JSON.createObjectNode().put("query", topic + " evidence"));
        if (fetch) call(calls, "call_sim_fetch", "web_fetch", JSON.createObjectNode().put("url", pagesBase + "/pages/" + topic));
        return calls;
    }

    /** What a simulated model searches for and which page it fetches: the question's longest word, deterministic per prompt. */
    static String topic(String text) {
        String question = text;
        int q = text.indexOf("# Question\n");
        if (q >= 0) {
            int end = text.indexOf("\n#", q + 11);
            question = text.substring(q + 11, end < 0 ? text.length() : end);
        }
        String best = "question";
        for (String word : question.split("[^\\p{L}\\p{N}]+")) {
            if (word.length() > best.length()) best = word;
        }
        return best.toLowerCase(java.util.Locale.ROOT);
    }

    private static void call(ArrayNode calls, String id, String name, ObjectNode args) {
        ObjectNode c = calls.addObject().put("id", id).put("type", "function");
        c.putObject("function").put("name", name).put("arguments", args.toString());
    }

    /** A line the answer adds for what the tools gave: the start of the first answer, so the tools visibly mattered. */
    static String citing(List<String> answers) {
        String first = answers.get(0).strip().replaceAll("\\s+", " ");
        if (first.length() > 120) first = first.substring(0, 120) + "...";
        return "- Checked against " + answers.size() + " tool result(s); the first says: " + first;
    }
}
