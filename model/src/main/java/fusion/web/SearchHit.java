package fusion.web;

/** One web_search result; the snippet may be empty. */
public record SearchHit(String title, String url, String snippet) {}
