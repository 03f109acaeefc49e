package fusion.model.resilience;

import fusion.model.ChatOutcome;
import fusion.model.FailureKind;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model's circuit breaker (resilience4j). It counts attempts whose failure says the model is
 * unwell: {@link FailureKind#retryable()} kinds other than rate limits. Client errors
 * (400/401/402/403/404), quota, empty completions and rate limits neither count for nor against
 * it: they say nothing about whether the model is up, and rate limits have the throttle.
 *
 * <p>An open circuit holds its model's calls rather than failing them: a call that may not go
 * registers with {@link #whenMayTry} and is woken whenever the answer may have changed (the circuit
 * half-opens, closes or opens again, or a probe's permission comes free), on the executor given,
 * never on the thread that recorded the outcome.
 */
final class ModelCircuit {
    private static final Logger log = LoggerFactory.getLogger(ModelCircuit.class);

    private final String model;
    private final CircuitBreaker breaker;
    private final long openMillis;
    private final Executor wakeOn;
    private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    private volatile long openedAtMillis;
    /** The last attempt that counted against the model, as it came; what a call never sent can say the model was failing with. */
    private volatile ChatOutcome lastFailureOutcome;
    /** The last attempt that counted against the model, for the operator: why its circuit opened. */
    private volatile String lastFailure = "none";
    /** Why it opened, as it was then: the window's failure rate and last failure. */
    private volatile String openedBecause = "";

    ModelCircuit(String model, CircuitPolicy policy, Executor wakeOn) {
        this.model = model;
        this.openMillis = policy.openMillis();
        this.wakeOn = wakeOn;
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
                log.warn("model {}: circuit {} → OPEN after repeated failures ({}); holding its calls for {} ms, then probing", model, from,
                        openedBecause, openMillis);
            } else {
                log.info("model {}: circuit {} → {}", model, from, to);
            }
            wakeWaiting();
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
        if (halfOpen()) wakeWaiting(); // a probe's place came free
    }

    void record(ChatOutcome outcome, long nanos) {
        boolean probe = halfOpen();
        if (outcome.succeeded()) {
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        } else if (countsAgainstModel(outcome.failure())) {
            lastFailure = outcome.failure().wireName() + (outcome.statusCode() == null ? "" : " " + outcome.statusCode()) + ": " + outcome.errorMessage();
            lastFailureOutcome = outcome;
            breaker.onError(nanos, TimeUnit.NANOSECONDS, new ModelFailure(outcome.failure()));
        } else {
            breaker.releasePermission();
        }
        if (probe) wakeWaiting(); // a probe is over: if it did not change the state, its place is free for another
    }

    CircuitBreaker.State state() {
        return breaker.getState();
    }

    private boolean halfOpen() {
        return breaker.getState() == CircuitBreaker.State.HALF_OPEN;
    }

    /**
     * Milliseconds until an open circuit lets probes through; 0 when it is not open (closed, or
     * half-open with its probes out: then only their outcome can tell how long).
     */
    long millisUntilProbes() {
        if (breaker.getState() != CircuitBreaker.State.OPEN) return 0;
        return Math.max(0, openedAtMillis + openMillis - System.currentTimeMillis());
    }

    long openMillis() {
        return openMillis;
    }

    /** The last failure that counted against the model, or null when none did. */
    ChatOutcome lastFailure() {
        return lastFailureOutcome;
    }

    /** Runs {@code retry} (once, on the executor) the next time the circuit may let a call through that it did not before. */
    void whenMayTry(Runnable retry) {
        waiting.add(retry);
    }

    private void wakeWaiting() {
        List<Runnable> woken = new ArrayList<>();
        for (Runnable r; (r = waiting.poll()) != null; ) woken.add(r);
        for (Runnable r : woken) {
            try {
                wakeOn.execute(r);
            } catch (RejectedExecutionException e) {
                return; // closing: the calls end as cancelled
            }
        }
    }

    static boolean countsAgainstModel(FailureKind kind) {
        return kind.retryable() && kind != FailureKind.RATE_LIMITED;
    }

    /** Why a call is held, and when the model will be tried again. */
    String rejection() {
        if (breaker.getState() == CircuitBreaker.State.HALF_OPEN) {
            return "circuit for model " + model + " is half-open: its probe calls are still running; other calls wait until they succeed";
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
