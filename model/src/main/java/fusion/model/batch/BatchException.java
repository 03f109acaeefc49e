package fusion.model.batch;

import fusion.model.FailureKind;

/**
 * A batch endpoint could not be used this time: the call is not the batch's answer. {@link #kind()} is typed as a
 * synchronous call's failure would be: {@link FailureKind#retryable()} kinds (429, 5xx, timeouts, network) mean "poll or
 * submit again later", the others (a missing or refused key, a malformed batch) need a person. The message never holds the key.
 */
public final class BatchException extends Exception {
    private final FailureKind kind;
    private final Integer statusCode;

    public BatchException(FailureKind kind, Integer statusCode, String message) {
        super(message);
        this.kind = kind;
        this.statusCode = statusCode;
    }

    public FailureKind kind() { return kind; }

    /** HTTP status of the last answer, or null when none came. */
    public Integer statusCode() { return statusCode; }

    public boolean retryable() { return kind.retryable(); }
}
