package fusion.model.resilience;

import fusion.model.ChatOutcome;
import fusion.model.FailureKind;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model's circuit breaker (resilience4j). It counts attempts whose failure says the model is
 * unwell: {@link FailureKind#retryable()} kinds other than rate limits. Client errors
 * (400/401/402/403/404), quota, empty completions and rate limits neither count for nor against
 * it: they say nothing about whether the model is up, and rate limits have the throttle.
 */
final class ModelCircuit {
    private static final Logger log = LoggerFactory.getLogger(ModelCircuit.class);

    private final String model;
    private final CircuitBreaker breaker;
    private final long openMillis;
    private volatile long openedAtMillis;
    /** The last attempt that counted against the model, for the operator: why its circuit opened. */
    private volatile String lastFailure = "none";
    /** Why it opened, as it was then: the window's failure rate and last failure. */
    private volatile String openedBecause = "";

    ModelCircuit(String model, CircuitPolicy policy) {
        this.model = model;
        this.openMillis = policy.openMillis();
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .failureRateThreshold(policy.failureRatePercent())
                // Slowness is not failure: a call's duration may include its wait for provider capacity, and the
                // call timeout already bounds a stuck call. (resilience4j would open on 100% of calls over 60 s.)
                .slowCallDurationThreshold(Duration.ofDays(365))
                .slidingWindow(policy.minCalls(), policy.minCalls(), CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .waitDurationInOpenState(Duration.ofMillis(policy.openMillis()))
                .permittedNumberOfCallsInHalfOpenState(policy.halfOpenCalls())
                // no timer thread: the first call after the wait moves it to half-open
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .writableStackTraceEnabled(false)
                .build();
        this.breaker = CircuitBreaker.of(model, config);
        breaker.getEventPublisher().onStateTransition(event -> {
            CircuitBreaker.State from = event.getStateTransition().getFromState();
            CircuitBreaker.State to = event.getStateTransition().getToState();
            if (to == CircuitBreaker.State.OPEN) {
                openedAtMillis = System.currentTimeMillis();
                openedBecause = "failure rate " + Math.round(breaker().getMetrics().getFailureRate()) + "%, last: " + lastFailure;
                log.warn("model {}: circuit {} → OPEN after repeated failures ({}); failing its calls fast for {} ms", model, from,
                        openedBecause, openMillis);
            } else {
                log.info("model {}: circuit {} → {}", model, from, to);
            }
        });
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    /** Whether an attempt may go out now; when true, exactly one of {@link #record} or {@link #release} must follow. */
    boolean tryAcquire() {
        return breaker.tryAcquirePermission();
    }

    /** Gives back a permission that was not used (the call never went out). */
    void release() {
        breaker.releasePermission();
    }

    void record(ChatOutcome outcome, long nanos) {
        if (outcome.succeeded()) {
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        } else if (countsAgainstModel(outcome.failure())) {
            lastFailure = outcome.failure().wireName() + (outcome.statusCode() == null ? "" : " " + outcome.statusCode()) + ": " + outcome.errorMessage();
            breaker.onError(nanos, TimeUnit.NANOSECONDS, new ModelFailure(outcome.failure()));
        } else {
            breaker.releasePermission();
        }
    }

    static boolean countsAgainstModel(FailureKind kind) {
        return kind.retryable() && kind != FailureKind.RATE_LIMITED;
    }

    /** Why a call failed fast, and when the model will be tried again. */
    String rejection() {
        if (breaker.getState() == CircuitBreaker.State.HALF_OPEN) {
            return "circuit for model " + model + " is half-open: its probe calls are still running; other calls fail fast until they succeed";
        }
        long retryAt = openedAtMillis + openMillis;
        long inMillis = Math.max(0, retryAt - System.currentTimeMillis());
        return "circuit for model " + model + " is open after repeated failures (" + openedBecause + "); it will be tried again in " + inMillis
                + " ms (at " + Instant.ofEpochMilli(retryAt) + ")";
    }

    /** What resilience4j counts as an error; carries no stack trace, it is a verdict rather than an exception. */
    static final class ModelFailure extends RuntimeException {
        ModelFailure(FailureKind kind) {
            super(kind.wireName(), null, false, false);
        }
    }
}
