package fusion.web;

/** A page a tool call fetched or a search returned; title may be null. */
public record WebSource(String url, String title) {}
