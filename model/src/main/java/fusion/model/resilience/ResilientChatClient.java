package fusion.model.resilience;

import fusion.model.ChatClient;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.FailureKind;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderConfig;
import fusion.model.ProviderRoutes;
import fusion.model.Usage;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChatClient} around another one (normally {@link OpenAiChatClient}) that keeps each call
 * within its provider's limits, retries what may succeed on a later try, and holds a model's calls
 * while its circuit is open. Per call:
 *
 * <ol>
 *   <li>a provider that has refused its API key (401, 403) is not called again: the outcome is that
 *       refusal at once (see {@link #onProviderRefused});</li>
 *   <li>the model's circuit must let the attempt through; while it is open the call waits, unsent
 *       and holding no thread, until the circuit half-opens and its probes decide;</li>
 *   <li>the provider's throttle admits it: in-flight caps per provider and per
 *       model, requests and tokens per minute, and any pause a 429 or {@code x-ratelimit-*}
 *       header asked for; until then the call waits in a queue, holding no thread;</li>
 *   <li>the wrapped client makes one HTTP attempt; a {@link FailureKind#retryable()} failure is
 *       tried again after a full-jitter backoff (at least the Retry-After), going through the
 *       steps above again.</li>
 * </ol>
 *
 * A call goes on until it succeeds, fails for good, or its patience ({@link RetryPolicy#patienceMillis()},
 * counted from its first attempt) would run out before the next retry or before its circuit lets
 * it through; then it ends with its last real failure (e.g. {@code server_error}), never
 * {@code circuit_open}. Only a call that the circuit held from the start, and never sent, ends as
 * {@link FailureKind#CIRCUIT_OPEN}. The final outcome is the last attempt's, with {@code attempts} = HTTP attempts
 * made (0 when none was), {@code httpRequests} the requests sent for them (a stale-connection re-send
 * counts), {@code retriesByReason} and {@code circuitWaitMs}, {@code usage} summed over all attempts
 * (failed ones can bill too) and {@code latencyMs} the whole wait, queue and backoff included. Like every {@link ChatClient}, the
 * future never completes exceptionally. {@link #close()} stops the scheduler, ends waiting calls as
 * {@link FailureKind#CANCELLED} and closes the wrapped client.
 *
 * <p>Configuration keys and defaults: see {@link ResilienceConfig}. Meters, tagged with
 * {@code gen_ai.provider.name} and {@code gen_ai.request.model}, never with a prompt or a key:
 * {@code gen_ai.client.operation.duration} (per HTTP attempt; {@code error.type} on failure),
 * {@code gen_ai.client.token.usage} ({@code gen_ai.token.type} input|output),
 * {@code fusion.model.cost} (USD), {@code fusion.model.calls.in_flight} and
 * {@code fusion.model.calls.queued} (per provider), {@code fusion.model.retries} ({@code reason} =
 * failure kind) and {@code fusion.model.circuit.state} (0 closed, 1 half-open, 2 open).
 */
public final class ResilientChatClient implements ChatClient {
    private static final Logger log = LoggerFactory.getLogger(ResilientChatClient.class);

    private final ChatClient delegate;
    private final ProviderRoutes routes;
    private final ResilienceConfig config;
    private final CallMetrics metrics;
    private final DoubleSupplier random;
    private final ScheduledExecutorService scheduler;
    private final Map<String, ProviderThrottle> throttles = new ConcurrentHashMap<>();
    private final Map<String, ModelCircuit> circuits = new ConcurrentHashMap<>();
    private final Set<Call> calls = ConcurrentHashMap.newKeySet();
    private final Map<String, ProviderRefusal> refusals = new ConcurrentHashMap<>();
    private final List<Consumer<ProviderRefusal>> refusalListeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param delegate makes one attempt per call; closed with this client
     * @param routes   tells which provider (and so which limits) a model's calls count against
     */
    public ResilientChatClient(ChatClient delegate, ProviderRoutes routes, ResilienceConfig config, MeterRegistry registry) {
        this(delegate, routes, config, registry, () -> ThreadLocalRandom.current().nextDouble());
    }

    ResilientChatClient(ChatClient delegate, ProviderRoutes routes, ResilienceConfig config, MeterRegistry registry, DoubleSupplier random) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.routes = Objects.requireNonNull(routes, "routes");
        this.config = Objects.requireNonNull(config, "config");
        this.metrics = new CallMetrics(Objects.requireNonNull(registry, "registry"));
        this.random = random;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "fusion-model-calls");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.scheduler = executor;
        for (ProviderConfig provider : routes.providers()) {
            ProviderThrottle throttle = new ProviderThrottle(provider.name(), config.limits(provider.name()), config.modelMaxInFlight(), scheduler);
            throttles.put(provider.name(), throttle);
            metrics.providerGauges(throttle);
        }
    }

    /** Wraps an {@link OpenAiChatClient}, routing by its own provider routes. */
    public static ResilientChatClient wrapping(OpenAiChatClient client, ResilienceConfig config, MeterRegistry registry) {
        return new ResilientChatClient(client, client.routes(), config, registry);
    }

    /** Wraps an {@link OpenAiChatClient} with limits, retries and circuits read by {@link ResilienceConfig#fromProperties}. */
    public static ResilientChatClient fromProperties(OpenAiChatClient client, Map<String, String> properties, MeterRegistry registry) {
        return wrapping(client, ResilienceConfig.fromProperties(properties), registry);
    }

    public ResilienceConfig config() {
        return config;
    }

    /**
     * Tells {@code listener} of each provider that refuses its API key (401, or 403 not about a
     * request's content), once per provider, on the thread that saw the refusal; at once for one
     * refused already. From then on that provider's calls are not sent: they end at once as
     * {@link FailureKind#UNAUTHORIZED} or {@link FailureKind#FORBIDDEN} ({@link FailureKind#rerunnable()}),
     * so an app can stop the run with {@link ProviderRefusal#describe()} and rerun it with the key.
     */
    public void onProviderRefused(Consumer<ProviderRefusal> listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (refusalListeners) {
            refusalListeners.add(listener);
            refusals.values().forEach(r -> tell(listener, r));
        }
    }

    /** The providers refused so far, by name. */
    public Map<String, ProviderRefusal> refusedProviders() {
        return Map.copyOf(refusals);
    }

    @Override
    public CompletableFuture<ChatOutcome> complete(ChatRequest request) {
        if (request == null) {
            return CompletableFuture.completedFuture(ChatOutcome.failed(null, FailureKind.BAD_REQUEST, null, "request is null", 0));
        }
        if (closed.get()) {
            return CompletableFuture.completedFuture(ChatOutcome.failed(request.model(), FailureKind.CANCELLED, null, "client closed", 0));
        }
        ProviderConfig provider = routes.route(request.model()).orElse(null);
        ProviderThrottle throttle = provider == null ? null : throttles.get(provider.name());
        if (throttle == null) {
            // nothing to limit or retry: the wrapped client says why there is no provider
            return attemptOnce(request);
        }
        Call call = new Call(request, provider, throttle, circuit(provider.name(), request.model()));
        calls.add(call);
        call.result.whenComplete((outcome, error) -> {
            calls.remove(call);
            call.abandon();
        });
        call.next();
        return call.result;
    }

    private ModelCircuit circuit(String provider, String model) {
        return circuits.computeIfAbsent(model, m -> {
            ModelCircuit circuit = new ModelCircuit(m, config.circuit(), scheduler);
            metrics.circuitGauge(provider, m, circuit.breaker());
            return circuit;
        });
    }

    /** One attempt on the wrapped client, held to the ChatClient contract even if that client breaks it. */
    private CompletableFuture<ChatOutcome> attemptOnce(ChatRequest request) {
        CompletableFuture<ChatOutcome> attempt;
        try {
            attempt = delegate.complete(request);
        } catch (RuntimeException e) {
            attempt = CompletableFuture.failedFuture(e);
        }
        if (attempt == null) attempt = CompletableFuture.failedFuture(new NullPointerException("chat client returned no future"));
        return attempt.handle((outcome, error) -> outcome != null ? outcome : brokenContract(request.model(), error));
    }

    private static ChatOutcome brokenContract(String model, Throwable error) {
        // the class name only, here and in the log: a message could echo the request, key included
        String what = error == null ? "no outcome" : error.getClass().getSimpleName();
        log.debug("chat client for {} failed instead of returning an outcome: {}", model, what);
        return ChatOutcome.failed(model, FailureKind.INVALID_RESPONSE, null, "chat client failed without an outcome: " + what, 0);
    }

    /** Ends waiting and backing-off calls as cancelled, stops the scheduler, removes the gauges and closes the wrapped client. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        for (Call call : List.copyOf(calls)) call.finish(ChatOutcome.failed(call.model, FailureKind.CANCELLED, null, "client closed", 0));
        throttles.values().forEach(ProviderThrottle::close);
        scheduler.shutdownNow();
        metrics.close();
        delegate.close();
    }

    /** One call through refusal, circuit, throttle and retries. Its steps run one after another, never two at once. */
    private final class Call {
        final ChatRequest request;
        final String model;
        final ProviderConfig provider;
        final ProviderThrottle throttle;
        final ModelCircuit circuit;
        final long estimatedTokens;
        final long startedNanos = System.nanoTime();
        final CompletableFuture<ChatOutcome> result = new CompletableFuture<>();
        final Map<String, Integer> retries = new ConcurrentHashMap<>();

        volatile CompletableFuture<ProviderThrottle.Permit> waiting;
        volatile int attempts;
        volatile int httpRequests;
        /** When patience started: the first attempt, or the first wait for the circuit if that came first; 0 before either. */
        volatile long patienceFromNanos;
        /** When the current wait for the circuit began, or 0 when the call is not waiting for it. */
        volatile long circuitWaitFromNanos;
        volatile long circuitWaitNanos;
        volatile Usage usage = Usage.NONE;
        volatile ChatOutcome last;
        /** The failure the next attempt retries, or null before the first. */
        volatile FailureKind retryingAfter;

        Call(ChatRequest request, ProviderConfig provider, ProviderThrottle throttle, ModelCircuit circuit) {
            this.request = request;
            this.model = request.model();
            this.provider = provider;
            this.throttle = throttle;
            this.circuit = circuit;
            this.estimatedTokens = TokenEstimate.of(request);
        }

        /** The next attempt: refusal, then circuit, then throttle, then the wire. */
        void next() {
            if (result.isDone()) return;
            ProviderRefusal refusal = refusals.get(provider.name());
            if (refusal != null) {
                finish(refused(refusal));
                return;
            }
            if (!circuit.tryAcquire()) {
                waitForCircuit();
                return;
            }
            endCircuitWait();
            CompletableFuture<ProviderThrottle.Permit> permit = throttle.acquire(model, estimatedTokens);
            waiting = permit;
            permit.whenComplete((p, error) -> {
                if (error != null) {
                    circuit.release();
                    finish(ChatOutcome.failed(model, FailureKind.CANCELLED, null, "client closed", 0));
                } else if (result.isDone() || refusals.containsKey(provider.name())) {
                    // over meanwhile, or its provider refused the key while the call queued: not sent
                    p.release(null);
                    circuit.release();
                    next();
                } else {
                    send(p);
                }
            });
        }

        /**
         * Holds the call, unsent, until the circuit may let it through: an open circuit until it
         * half-opens, a half-open one until its probes have decided. Gives up only when that would
         * pass the call's patience. Holds no thread: a timer and the circuit's wake-up both call
         * {@link #next()} again, whichever comes first, once.
         */
        private void waitForCircuit() {
            long now = System.nanoTime();
            if (patienceFromNanos == 0) patienceFromNanos = now;
            if (circuitWaitFromNanos == 0) circuitWaitFromNanos = now;
            long patienceLeft = config.retry().patienceMillis() - TimeUnit.NANOSECONDS.toMillis(now - patienceFromNanos);
            long untilProbes = circuit.millisUntilProbes();
            if (untilProbes > patienceLeft || patienceLeft <= 0) {
                endCircuitWait();
                finish(outOfPatience());
                return;
            }
            // Half-open, the probes' outcome wakes the call; the timer is a safety net for a wake-up missed in between.
            long delay = untilProbes > 0 ? untilProbes : Math.min(patienceLeft, Math.max(100, Math.min(circuit.openMillis(), 5_000)));
            AtomicBoolean resumed = new AtomicBoolean();
            Runnable resume = () -> {
                if (resumed.compareAndSet(false, true)) next();
            };
            circuit.whenMayTry(resume);
            try {
                scheduler.schedule(resume, Math.max(delay, 1), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                finish(ChatOutcome.failed(model, FailureKind.CANCELLED, null, "client closed", 0));
            }
        }

        private void endCircuitWait() {
            long from = circuitWaitFromNanos;
            if (from != 0) {
                circuitWaitNanos += System.nanoTime() - from;
                circuitWaitFromNanos = 0;
            }
        }

        private void send(ProviderThrottle.Permit permit) {
            long sentNanos = System.nanoTime();
            if (patienceFromNanos == 0) patienceFromNanos = sentNanos;
            FailureKind retrying = retryingAfter;
            if (retrying != null) {
                // counted when the retry goes out: a retry that patience or a refusal stopped first is no retry
                metrics.retry(throttle.provider(), model, retrying);
                retries.merge(retrying.wireName(), 1, Integer::sum);
                retryingAfter = null;
            }
            attempts++;
            attemptOnce(request).thenAccept(outcome -> {
                try {
                    onAttempt(outcome, permit, System.nanoTime() - sentNanos);
                } catch (RuntimeException e) {
                    log.warn("model {}: handling an attempt's outcome failed", model, e);
                    finish(outcome);
                }
            });
        }

        private void onAttempt(ChatOutcome outcome, ProviderThrottle.Permit permit, long nanos) {
            // before the permit goes back: a call it lets out of the queue must already see the refusal
            if (!outcome.succeeded() && refusesKey(outcome)) refuse(provider, outcome);
            permit.release(outcome);
            circuit.record(outcome, nanos);
            metrics.attempt(throttle.provider(), model, outcome, nanos);
            usage = plus(usage, outcome.usage());
            httpRequests += Math.max(1, outcome.httpRequests());
            last = outcome;
            Long delay = outcome.succeeded() ? null : retryDelay(outcome);
            if (delay == null) {
                finish(outcome);
                return;
            }
            retryingAfter = outcome.failure();
            log.debug("model {}: attempt {} failed ({}), trying again in {} ms", model, attempts, outcome.failure().wireName(), delay);
            try {
                scheduler.schedule(this::next, delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                finish(ChatOutcome.failed(model, FailureKind.CANCELLED, null, "client closed", 0));
            }
        }

        /** Milliseconds until the next attempt, or null when this failure is final. */
        private Long retryDelay(ChatOutcome outcome) {
            RetryPolicy policy = config.retry();
            if (!outcome.failure().retryable() || attempts >= policy.maxAttempts() || closed.get() || result.isDone()) return null;
            long delay = policy.delayMillis(attempts, random.getAsDouble(), outcome.retryAfterMillis());
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - patienceFromNanos);
            if (elapsed + delay > policy.patienceMillis()) {
                log.debug("model {}: not retrying {}: {} ms more would pass the call's {} ms patience", model,
                        outcome.failure().wireName(), delay, policy.patienceMillis());
                return null;
            }
            return delay;
        }

        /**
         * The call's last real failure when it made attempts (never {@code circuit_open}: that is not
         * why it failed); when the circuit held it from the start, circuit_open naming the model's
         * last failure.
         */
        private ChatOutcome outOfPatience() {
            long waited = TimeUnit.NANOSECONDS.toMillis(circuitWaitNanos);
            String gaveUp = "gave up after waiting " + waited + " ms for model " + model + "'s circuit (call patience "
                    + config.retry().patienceMillis() + " ms, fusion.calls.patience-ms)";
            ChatOutcome before = last;
            if (before != null) {
                return new ChatOutcome(model, null, before.reasoning(), Usage.NONE, 0, before.statusCode(), before.failure(),
                        before.errorMessage() + "; " + gaveUp, before.finishReason(), List.of(), attempts, before.retryAfterMillis(),
                        before.rateLimit());
            }
            String message = "not sent: " + circuit.rejection() + "; " + gaveUp;
            ChatOutcome modelFailure = circuit.lastFailure();
            if (modelFailure != null) message += "; the model's last failure: " + modelFailure.failure().wireName() + ": " + modelFailure.errorMessage();
            return new ChatOutcome(model, null, null, Usage.NONE, 0, null, FailureKind.CIRCUIT_OPEN, message, null, List.of(), 0, null, null);
        }

        private ChatOutcome refused(ProviderRefusal refusal) {
            return new ChatOutcome(model, null, null, Usage.NONE, 0, null, refusal.failure(),
                    "not sent: " + refusal.describe(), null, List.of(), attempts, null, null);
        }

        /** Completes the call with {@code outcome}, counting every attempt, retry and request, all their usage and the whole wait. */
        void finish(ChatOutcome outcome) {
            if (result.isDone()) return;
            endCircuitWait();
            long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
            result.complete(new ChatOutcome(model, outcome.content(), outcome.reasoning(), usage, latencyMs, outcome.statusCode(),
                    outcome.failure(), outcome.errorMessage(), outcome.finishReason(), outcome.sources(), attempts,
                    outcome.retryAfterMillis(), outcome.rateLimit(), Map.copyOf(retries), TimeUnit.NANOSECONDS.toMillis(circuitWaitNanos),
                    httpRequests, outcome.toolCalls()));
        }

        /** Stops waiting for a permit once the call is over (cancelled by its caller, or closed). */
        void abandon() {
            CompletableFuture<ProviderThrottle.Permit> permit = waiting;
            if (permit != null && permit.cancel(false)) throttle.forgetCancelled();
        }
    }

    /**
     * Whether a failure says the provider refuses the key itself, for every call: any 401, and a 403
     * unless it is about this request's content (OpenRouter answers 403 to input its moderation
     * flagged). A key missing altogether counts too.
     */
    static boolean refusesKey(ChatOutcome outcome) {
        if (outcome.failure() == FailureKind.UNAUTHORIZED) return true;
        if (outcome.failure() != FailureKind.FORBIDDEN || outcome.statusCode() == null || outcome.statusCode() != 403) return false;
        String message = outcome.errorMessage() == null ? "" : outcome.errorMessage().toLowerCase(java.util.Locale.ROOT);
        return !message.contains("moderation") && !message.contains("flagged");
    }

    /** Marks the provider refused, once: its further calls are not sent, and the listeners hear of it. */
    private void refuse(ProviderConfig provider, ChatOutcome outcome) {
        String said = outcome.errorMessage() == null ? "" : provider.redact(outcome.errorMessage());
        if (said.length() > 200) said = said.substring(0, 200) + "…";
        ProviderRefusal refusal = new ProviderRefusal(provider.name(), outcome.statusCode(), outcome.failure(), provider.apiKeySetting(), said);
        synchronized (refusalListeners) { // so a listener added meanwhile hears of it exactly once
            if (refusals.putIfAbsent(provider.name(), refusal) != null) return;
            log.error("{}; its further calls are not sent", refusal.describe());
            for (Consumer<ProviderRefusal> listener : refusalListeners) tell(listener, refusal);
        }
    }

    private static void tell(Consumer<ProviderRefusal> listener, ProviderRefusal refusal) {
        try {
            listener.accept(refusal);
        } catch (RuntimeException e) {
            log.warn("a provider-refusal listener failed", e);
        }
    }

    private static Usage plus(Usage a, Usage b) {
        if (b == null || b.equals(Usage.NONE)) return a;
        if (a.equals(Usage.NONE)) return b;
        return a.plus(b);
    }
}
