package fusion.web;

import java.util.List;

/**
 * What one web tool call gave: {@code content} goes back to the model as the {@code role: tool} message;
 * {@code sources} are the pages it came from, for the result's {@code sources[]}.
 *
 * @param refused true when the call was not run (an address the fetch guard refuses, a scheme other than http(s))
 */
public record ToolResult(String content, List<WebSource> sources, boolean refused) {
    public ToolResult {
        sources = sources == null ? List.of() : List.copyOf(sources);
    }

    public static ToolResult refusal(String content) {
        return new ToolResult(content, List.of(), true);
    }
}
