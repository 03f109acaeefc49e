package fusion.model;

/**
 * Why a model call failed. The wire name is what lands in records and results
 * ({@code failed_models[].reason}).
 */
public enum FailureKind {
    /** 402: the account is out of credits. Never retried. */
    INSUFFICIENT_CREDITS("insufficient_credits", false, true),
    /** 429 that is a rate limit: slow down and retry. */
    RATE_LIMITED("rate_limited", true, true),
    /** 429 that is an exhausted quota: retrying will not help. */
    QUOTA_EXCEEDED("quota_exceeded", false, true),
    BAD_REQUEST("bad_request", false, false),
    /** 401: the provider refuses the key (or none is set); its further calls in the run are not sent. */
    UNAUTHORIZED("unauthorized", false, true),
    /** 403: the key may not do this; also OpenRouter's answer to input its moderation flagged. */
    FORBIDDEN("forbidden", false, true),
    NOT_FOUND("not_found", false, false),
    /** 408 from the provider. */
    REQUEST_TIMEOUT("request_timeout", true, true),
    CONFLICT("conflict", true, true),
    SERVER_ERROR("server_error", true, true),
    /** 529 and 503 overload answers. */
    OVERLOADED("overloaded", true, true),
    /** No response within the call timeout. */
    TIMEOUT("timeout", true, true),
    NETWORK_ERROR("network_error", true, true),
    /** A body that is not a chat completion (garbage, truncated JSON). */
    INVALID_RESPONSE("invalid_response", true, true),
    /** An error object inside a 200 body. */
    UPSTREAM_ERROR("upstream_error", true, true),
    /** No visible text: a reasoning model that spent its budget, or a filtered answer. */
    EMPTY_COMPLETION("empty_completion", false, false),
    /** Any other HTTP status. */
    HTTP_ERROR("http_error", false, false),
    /** Never sent: its model's circuit, open after repeated failures, held the call until its patience ran out. */
    CIRCUIT_OPEN("circuit_open", false, true),
    /** No provider is configured for this model. */
    NO_PROVIDER("no_provider", false, true),
    /** The call was not started: its batch was cancelled. */
    CANCELLED("cancelled", false, true),
    /** The call was not started: the run's cost budget was spent. */
    BUDGET_EXCEEDED("budget_exceeded", false, true),
    /** Not waited for: the request's quorum was in and its grace ran out first (or it was still queued then, and not sent). */
    QUORUM_TIMEOUT("quorum_timeout", false, true);

    private final String wireName;
    private final boolean retryable;
    private final boolean rerunnable;

    FailureKind(String wireName, boolean retryable, boolean rerunnable) {
        this.wireName = wireName;
        this.retryable = retryable;
        this.rerunnable = rerunnable;
    }

    public String wireName() { return wireName; }

    /** Whether trying again may succeed (408, 409, rate-limit 429, 5xx, 529, network, bad body). */
    public boolean retryable() { return retryable; }

    /**
     * Whether the same call, made again on a later run of the job, may succeed: so a result that
     * failed for this reason is sent again then rather than kept as final. True for everything
     * {@link #retryable()} (a run that ran out of patience), for what a person fixes between runs
     * (a key: 401, 403; credits: 402; a quota that resets; a missing provider) and for calls never
     * sent (circuit open, cancelled, budget spent). False only where the request itself is the
     * problem and would fail again the same way: 400, 404, an empty completion, an unknown status.
     */
    public boolean rerunnable() { return rerunnable; }

    public static FailureKind fromWireName(String name) {
        for (FailureKind k : values()) {
            if (k.wireName.equals(name)) return k;
        }
        throw new IllegalArgumentException("unknown failure kind: " + name);
    }
}
