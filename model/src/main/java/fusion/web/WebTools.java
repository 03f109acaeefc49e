package fusion.web;

/**
 * The web tools our own tool loop runs on a model's behalf, for providers that run no server tools.
 * Both methods never throw for what the web or the model did wrong: a refused address, a timeout or a
 * dead search backend comes back as a {@link ToolResult} the model can read, so the loop goes on.
 */
public interface WebTools {

    /** Whether {@code web_search} can be offered at all: false when no search backend is configured. */
    boolean searchAvailable();

    /** {@code web_search(query)}: titles, urls and snippets, as text for the model, with each hit as a source. */
    ToolResult search(String query);

    /** {@code web_fetch(url)}: the page as readable text, or a short refusal that tells the model nothing of the reason's internals. */
    ToolResult fetch(String url);
}
