package fusion.model;

/**
 * Why a model call failed. The wire name is what lands in records and results
 * ({@code failed_models[].reason}).
 */
public enum FailureKind {
    /** 402: the account is out of credits. Never retried. */
    INSUFFICIENT_CREDITS("insufficient_credits", false),
    /** 429 that is a rate limit: slow down and retry. */
    RATE_LIMITED("rate_limited", true),
    /** 429 that is an exhausted quota: retrying will not help. */
    QUOTA_EXCEEDED("quota_exceeded", false),
    BAD_REQUEST("bad_request", false),
    UNAUTHORIZED("unauthorized", false),
    FORBIDDEN("forbidden", false),
    NOT_FOUND("not_found", false),
    /** 408 from the provider. */
    REQUEST_TIMEOUT("request_timeout", true),
    CONFLICT("conflict", true),
    SERVER_ERROR("server_error", true),
    /** 529 and 503 overload answers. */
    OVERLOADED("overloaded", true),
    /** No response within the call timeout. */
    TIMEOUT("timeout", true),
    NETWORK_ERROR("network_error", true),
    /** A body that is not a chat completion (garbage, truncated JSON). */
    INVALID_RESPONSE("invalid_response", true),
    /** An error object inside a 200 body. */
    UPSTREAM_ERROR("upstream_error", true),
    /** No visible text: a reasoning model that spent its budget, or a filtered answer. */
    EMPTY_COMPLETION("empty_completion", false),
    /** Any other HTTP status. */
    HTTP_ERROR("http_error", false),
    /** The model is circuit-broken after repeated failures; failed fast. */
    CIRCUIT_OPEN("circuit_open", false),
    /** No provider is configured for this model. */
    NO_PROVIDER("no_provider", false),
    /** The call was not started: its batch was cancelled. */
    CANCELLED("cancelled", false),
    /** The call was not started: the run's cost budget was spent. */
    BUDGET_EXCEEDED("budget_exceeded", false);

    private final String wireName;
    private final boolean retryable;

    FailureKind(String wireName, boolean retryable) {
        this.wireName = wireName;
        this.retryable = retryable;
    }

    public String wireName() { return wireName; }

    /** Whether trying again may succeed (408, 409, rate-limit 429, 5xx, 529, network, bad body). */
    public boolean retryable() { return retryable; }

    public static FailureKind fromWireName(String name) {
        for (FailureKind k : values()) {
            if (k.wireName.equals(name)) return k;
        }
        throw new IllegalArgumentException("unknown failure kind: " + name);
    }
}
