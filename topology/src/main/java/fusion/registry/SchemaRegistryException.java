package fusion.registry;

/**
 * A Schema Registry answer that is not the one asked for: the HTTP status, the registry's own error
 * code ({@code 40401} subject not found, {@code 40403} schema not found, {@code 409} incompatible,
 * {@code 42201} invalid schema, {@code 5xxxx} its backend), and what it means for us.
 */
public final class SchemaRegistryException extends RuntimeException {
    private final int status;
    private final int errorCode;

    SchemaRegistryException(int status, int errorCode, String message) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    /** The HTTP status; 0 when no answer came. */
    public int status() {
        return status;
    }

    /** The registry's {@code error_code}, or the HTTP status when the body had none. */
    public int errorCode() {
        return errorCode;
    }

    /** Worth asking again: the registry or the network failed, not our request. */
    public boolean retriable() {
        return status == 0 || status >= 500 || status == 429 || status == 408;
    }
}
