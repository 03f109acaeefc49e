package fusion.model.tools;

import fusion.web.ToolResult;
import fusion.web.WebSource;
import fusion.web.WebTools;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Web tools that answer from the URL alone and count what they were asked. */
class CountingWebTools implements WebTools {
    final List<String> fetched = new CopyOnWriteArrayList<>();
    final List<String> searched = new CopyOnWriteArrayList<>();
    private final boolean search;

    CountingWebTools(boolean search) {
        this.search = search;
    }

    @Override
    public boolean searchAvailable() {
        return search;
    }

    @Override
    public ToolResult search(String query) {
        searched.add(query);
        String url = "https://example.org/search/" + query.replace(' ', '-');
        return new ToolResult("1. " + query + " - " + url, List.of(new WebSource(url, query)), false);
    }

    @Override
    public ToolResult fetch(String url) {
        fetched.add(url);
        return new ToolResult("the page at " + url, List.of(new WebSource(url, null)), false);
    }
}
