package fusion.web;

import java.io.IOException;
import java.util.List;

/**
 * A web search service behind {@code web_search}. Its address is the operator's choice (a self-hosted SearxNG on the
 * intranet is normal), so it is not subject to the fetch guard. Failures never carry the API key, the URL or the
 * answer's body: only what kind of failure it was.
 */
public interface SearchBackend {

    /** At most {@code count} hits, best first. */
    List<SearchHit> search(String query, int count) throws IOException, InterruptedException;
}
