package fusion.results;

/** The typed failure_reason values of error results, as the spec names them. */
public enum FailureReason {
    ALL_PANELS_FAILED("all_panels_failed"),
    INSUFFICIENT_CREDITS("insufficient_credits"),
    RATE_LIMITED("rate_limited"),
    FUSION_INVOCATION_CAPPED("fusion_invocation_capped"),
    UNEXPECTED_ERROR("unexpected_error"),
    INVALID_REQUEST("invalid_request"),
    /** The request's batch was cancelled before its calls were sent. */
    CANCELLED("cancelled"),
    /** The run's --max-cost was reached before the request's calls were sent. */
    BUDGET_EXCEEDED("budget_exceeded"),
    /** A dataset row repeats an earlier row's id with other content; it is answered under a derived id. */
    DUPLICATE_REQUEST_ID("duplicate_request_id");

    private final String wireName;

    FailureReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
