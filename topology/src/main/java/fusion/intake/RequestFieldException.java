package fusion.intake;

/** A request field of the wrong type or shape; the message names the field and says how to fix it. */
public final class RequestFieldException extends RuntimeException {
    private final String field;

    public RequestFieldException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
