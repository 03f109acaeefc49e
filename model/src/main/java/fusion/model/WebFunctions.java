package fusion.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The two web tools as OpenAI function tools, offered where our own tool loop runs them: the same names
 * and the same one argument each as OpenRouter's {@code openrouter:web_search} and {@code openrouter:web_fetch}.
 */
public final class WebFunctions {
    public static final String SEARCH = "web_search";
    public static final String FETCH = "web_fetch";

    private WebFunctions() {}

    static ObjectNode definition(String tool, ObjectMapper json) {
        ObjectNode def = json.createObjectNode().put("type", "function");
        ObjectNode function = def.putObject("function").put("name", tool);
        ObjectNode parameters = function.putObject("parameters").put("type", "object");
        ObjectNode properties = parameters.putObject("properties");
        switch (tool) {
            case SEARCH -> {
                function.put("description", "Search the web. Returns titles, URLs and snippets of the top results.");
                properties.putObject("query").put("type", "string").put("description", "what to search for");
                parameters.putArray("required").add("query");
            }
            case FETCH -> {
                function.put("description", "Fetch a web page by URL and return its readable text.");
                properties.putObject("url").put("type", "string").put("description", "an http or https URL");
                parameters.putArray("required").add("url");
            }
            default -> throw new IllegalArgumentException("no such web tool: " + tool + "; known: " + SEARCH + ", " + FETCH);
        }
        parameters.put("additionalProperties", false);
        return def;
    }
}
