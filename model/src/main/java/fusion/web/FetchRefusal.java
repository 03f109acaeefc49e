package fusion.web;

/**
 * The fetch guard would not let a URL be fetched. The reason is for logs and tests; the model only ever sees
 * {@link LocalWebTools#REFUSED}, so a refusal tells it nothing about this network.
 */
public final class FetchRefusal extends Exception {
    public FetchRefusal(String reason) {
        super(reason, null, false, false);
    }
}
