package fusion.model.resilience;

import fusion.model.ChatOutcome;
import fusion.model.FailureKind;
import fusion.model.RateLimitInfo;
import fusion.model.Usage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits one provider's calls: at most {@code maxInFlight} at once (and a model's own cap inside
 * that), within the requests- and tokens-per-minute buckets, and not while the provider has told
 * us to slow down. Calls that cannot start yet wait in a FIFO queue; {@link #acquire} never blocks,
 * it returns a future that completes with a {@link Permit} when the call may start.
 *
 * <p>A pause is provider-wide: a 429 or a {@code x-ratelimit-remaining-* = 0} on any model's call
 * holds every queued call of the provider until the reset, because the limit is usually the
 * account's and the next call to another model would only hit it too.
 */
final class ProviderThrottle {
    /** How long a 429 pauses the provider when it names neither Retry-After nor a reset time. */
    static final long DEFAULT_PAUSE_MILLIS = 1_000;
    /** A reset further away than this is more likely a misread header than a real wait. */
    static final long MAX_PAUSE_MILLIS = 600_000;

    private static final Logger log = LoggerFactory.getLogger(ProviderThrottle.class);

    private final String provider;
    private final int maxInFlight;
    private final Map<String, Integer> modelMaxInFlight;
    private final TokenBucket requests; // null: unlimited
    private final TokenBucket tokens;   // null: unlimited
    private final ScheduledExecutorService scheduler;

    private final Object lock = new Object();
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    private final Map<String, Integer> inFlightByModel = new HashMap<>();
    private int inFlight;
    private boolean paused;
    private long pausedUntil;
    private boolean wakeScheduled;
    private long wakeAt;
    private boolean closed;

    ProviderThrottle(String provider, ProviderLimits limits, Map<String, Integer> modelMaxInFlight, ScheduledExecutorService scheduler) {
        long now = System.nanoTime();
        this.provider = provider;
        this.maxInFlight = limits.maxInFlight();
        this.modelMaxInFlight = Map.copyOf(modelMaxInFlight);
        this.requests = limits.requestsPerMinute() > 0 ? new TokenBucket(limits.requestsPerMinute(), now) : null;
        this.tokens = limits.tokensPerMinute() > 0 ? new TokenBucket(limits.tokensPerMinute(), now) : null;
        this.scheduler = scheduler;
    }

    String provider() {
        return provider;
    }

    /** A future that completes with a permit when the call may start, or is cancelled when the throttle closes. */
    CompletableFuture<Permit> acquire(String model, long estimatedTokens) {
        Waiter waiter = new Waiter(model, Math.max(0, estimatedTokens));
        synchronized (lock) {
            if (closed) {
                waiter.future.completeExceptionally(new CancellationException("client closed"));
                return waiter.future;
            }
            queue.add(waiter);
        }
        drain();
        return waiter.future;
    }

    /** Drops waiters whose caller gave up (their future was cancelled), so they do not count as queued. */
    void forgetCancelled() {
        synchronized (lock) {
            queue.removeIf(w -> w.future.isDone());
        }
    }

    int inFlight() {
        synchronized (lock) {
            return inFlight;
        }
    }

    int queued() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** Whether the provider is paused now, and for how many more milliseconds (0 when not). */
    long pausedForMillis() {
        synchronized (lock) {
            long left = paused ? pausedUntil - System.nanoTime() : 0;
            return left > 0 ? TimeUnit.NANOSECONDS.toMillis(left) : 0;
        }
    }

    void close() {
        List<Waiter> dropped;
        synchronized (lock) {
            closed = true;
            dropped = new ArrayList<>(queue);
            queue.clear();
        }
        dropped.forEach(w -> w.future.completeExceptionally(new CancellationException("client closed")));
    }

    /** Starts every waiter that may start now, in order, and schedules a wake-up for the first that must wait for time to pass. */
    private void drain() {
        List<Runnable> grants = new ArrayList<>();
        synchronized (lock) {
            if (closed) return;
            long now = System.nanoTime();
            long wake = 0;
            boolean mustWake = false;
            for (Iterator<Waiter> it = queue.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (w.future.isDone()) {
                    it.remove();
                    continue;
                }
                if (paused && now - pausedUntil < 0) {
                    mustWake = true;
                    wake = pausedUntil;
                    break;
                }
                paused = false;
                if (inFlight >= maxInFlight) break; // a release drains again
                if (inFlightByModel.getOrDefault(w.model, 0) >= modelMaxInFlight.getOrDefault(w.model, Integer.MAX_VALUE)) {
                    continue; // only this model is full; calls to other models may go ahead of it
                }
                // rates stay first come, first served, so a large call is not overtaken forever by small ones
                long waitNanos = Math.max(requests == null ? 0 : requests.nanosUntil(1, now),
                        tokens == null ? 0 : tokens.nanosUntil(w.tokens, now));
                if (waitNanos > 0) {
                    mustWake = true;
                    wake = now + waitNanos;
                    break;
                }
                if (requests != null) requests.take(1, now);
                if (tokens != null) tokens.take(w.tokens, now);
                inFlight++;
                inFlightByModel.merge(w.model, 1, Integer::sum);
                it.remove();
                Permit permit = new Permit(w.model, w.tokens);
                grants.add(() -> {
                    if (!w.future.complete(permit)) permit.release(null); // the caller gave up meanwhile
                });
            }
            if (mustWake) scheduleWake(wake, now);
        }
        for (Runnable grant : grants) {
            // complete on the scheduler, not here: the caller's next step starts a call, and a release
            // that drains on the HTTP client's thread must not recurse through the whole queue
            try {
                scheduler.execute(grant);
            } catch (RejectedExecutionException e) {
                grant.run();
            }
        }
    }

    private void scheduleWake(long at, long now) {
        if (wakeScheduled && wakeAt - at <= 0) return; // an earlier wake-up is already due
        wakeScheduled = true;
        wakeAt = at;
        try {
            scheduler.schedule(this::wake, Math.max(0, at - now), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            wakeScheduled = false; // closing
        }
    }

    private void wake() {
        synchronized (lock) {
            wakeScheduled = false;
        }
        drain();
    }

    private void release(Permit permit, ChatOutcome outcome) {
        synchronized (lock) {
            inFlight--;
            inFlightByModel.computeIfPresent(permit.model, (m, n) -> n > 1 ? n - 1 : null);
            if (outcome != null) {
                long now = System.nanoTime();
                correctTokens(permit, outcome.usage(), now);
                pauseIfAsked(outcome, now);
            }
        }
        drain();
    }

    /** The estimate was a guess; once the provider reports what the call used, the bucket gets the difference back (or pays it). */
    private void correctTokens(Permit permit, Usage usage, long now) {
        if (tokens == null || usage == null) return;
        long used = usage.promptTokens() + usage.completionTokens();
        if (used > 0) tokens.adjust(permit.tokens - used, now);
    }

    private void pauseIfAsked(ChatOutcome outcome, long now) {
        RateLimitInfo limit = outcome.rateLimit();
        long fromHeaders = 0;
        String reason = null;
        if (limit != null && limit.requestsExhausted()) {
            fromHeaders = orDefault(limit.resetRequestsMillis());
            reason = "no requests left";
        }
        if (limit != null && limit.tokensExhausted() && orDefault(limit.resetTokensMillis()) > fromHeaders) {
            fromHeaders = orDefault(limit.resetTokensMillis());
            reason = "no tokens left";
        }
        long pauseMillis = fromHeaders;
        if (outcome.failure() == FailureKind.RATE_LIMITED) {
            Long retryAfter = outcome.retryAfterMillis();
            long asked = retryAfter != null ? retryAfter : reason != null ? fromHeaders : DEFAULT_PAUSE_MILLIS;
            pauseMillis = Math.max(asked, fromHeaders);
            reason = "429 rate limited" + (retryAfter != null ? ", Retry-After " + retryAfter + " ms" : "");
        }
        if (pauseMillis <= 0) return;
        pauseMillis = Math.min(pauseMillis, MAX_PAUSE_MILLIS);
        long until = now + TimeUnit.MILLISECONDS.toNanos(pauseMillis);
        boolean alreadyPaused = paused && now - pausedUntil < 0;
        if (alreadyPaused && until - pausedUntil <= 0) return;
        paused = true;
        pausedUntil = until;
        if (alreadyPaused) {
            log.debug("provider {}: pause extended to {} ms from now ({})", provider, pauseMillis, reason);
        } else {
            log.info("provider {}: pausing all calls for {} ms ({})", provider, pauseMillis, reason);
        }
    }

    private static long orDefault(Long resetMillis) {
        return resetMillis == null ? DEFAULT_PAUSE_MILLIS : resetMillis;
    }

    /** The right to send one call; released exactly once with what the call came to. */
    final class Permit {
        private final String model;
        private final long tokens;
        private final AtomicBoolean released = new AtomicBoolean();

        private Permit(String model, long tokens) {
            this.model = model;
            this.tokens = tokens;
        }

        /** @param outcome what the call came to, or null when it was never sent */
        void release(ChatOutcome outcome) {
            if (released.compareAndSet(false, true)) ProviderThrottle.this.release(this, outcome);
        }
    }

    private static final class Waiter {
        final String model;
        final long tokens;
        final CompletableFuture<Permit> future = new CompletableFuture<>();

        Waiter(String model, long tokens) {
            this.model = model;
            this.tokens = tokens;
        }
    }
}
