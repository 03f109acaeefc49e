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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChatClient} around another one (normally {@link OpenAiChatClient}) that keeps each call
 * within its provider's limits, retries what may succeed on a second try, and fails a model fast
 * while its circuit is open. Per call:
 *
 * <ol>
 *   <li>the model's circuit must let the attempt through, else the outcome is
 *       {@link FailureKind#CIRCUIT_OPEN}, saying when the model will be tried again;</li>
 *   <li>the provider's throttle admits it: in-flight caps per provider and per
 *       model, requests and tokens per minute, and any pause a 429 or {@code x-ratelimit-*}
 *       header asked for; until then the call waits in a queue, holding no thread;</li>
 *   <li>the wrapped client makes one HTTP attempt; a {@link FailureKind#retryable()} failure is
 *       tried again after a full-jitter backoff (at least the Retry-After) while attempts and the
 *       retry budget last, going through steps 1 and 2 again.</li>
 * </ol>
 *
 * The final outcome is the last attempt's, with {@code attempts} = HTTP attempts made (0 when
 * none was), {@code usage} summed over all attempts (failed ones can bill too) and
 * {@code latencyMs} the whole wait, queue and backoff included. Like every {@link ChatClient}, the
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
        Call call = new Call(request, throttle, circuit(provider.name(), request.model()));
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
            ModelCircuit circuit = new ModelCircuit(m, config.circuit());
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

    /** One call through circuit, throttle and retries. Its steps run one after another, never two at once. */
    private final class Call {
        final ChatRequest request;
        final String model;
        final ProviderThrottle throttle;
        final ModelCircuit circuit;
        final long estimatedTokens;
        final long startedNanos = System.nanoTime();
        final CompletableFuture<ChatOutcome> result = new CompletableFuture<>();

        volatile CompletableFuture<ProviderThrottle.Permit> waiting;
        volatile int attempts;
        volatile long firstAttemptNanos;
        volatile Usage usage = Usage.NONE;
        volatile ChatOutcome last;

        Call(ChatRequest request, ProviderThrottle throttle, ModelCircuit circuit) {
            this.request = request;
            this.model = request.model();
            this.throttle = throttle;
            this.circuit = circuit;
            this.estimatedTokens = TokenEstimate.of(request);
        }

        /** The next attempt: circuit, then throttle, then the wire. */
        void next() {
            if (result.isDone()) return;
            if (!circuit.tryAcquire()) {
                finish(circuitOpen());
                return;
            }
            CompletableFuture<ProviderThrottle.Permit> permit = throttle.acquire(model, estimatedTokens);
            waiting = permit;
            permit.whenComplete((p, error) -> {
                if (error != null) {
                    circuit.release();
                    finish(ChatOutcome.failed(model, FailureKind.CANCELLED, null, "client closed", 0));
                } else if (result.isDone()) {
                    p.release(null);
                    circuit.release();
                } else {
                    send(p);
                }
            });
        }

        private void send(ProviderThrottle.Permit permit) {
            long sentNanos = System.nanoTime();
            if (attempts == 0) firstAttemptNanos = sentNanos;
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
            permit.release(outcome);
            circuit.record(outcome, nanos);
            metrics.attempt(throttle.provider(), model, outcome, nanos);
            usage = plus(usage, outcome.usage());
            last = outcome;
            Long delay = outcome.succeeded() ? null : retryDelay(outcome);
            if (delay == null) {
                finish(outcome);
                return;
            }
            metrics.retry(throttle.provider(), model, outcome.failure());
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
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstAttemptNanos);
            if (elapsed + delay > policy.budgetMillis()) {
                log.debug("model {}: not retrying {}: {} ms more would pass the {} ms retry budget", model,
                        outcome.failure().wireName(), delay, policy.budgetMillis());
                return null;
            }
            return delay;
        }

        private ChatOutcome circuitOpen() {
            ChatOutcome before = last;
            String message = circuit.rejection();
            if (before != null) message += "; last failure: " + before.failure().wireName() + ": " + before.errorMessage();
            return new ChatOutcome(model, null, null, Usage.NONE, 0, before == null ? null : before.statusCode(),
                    FailureKind.CIRCUIT_OPEN, message, null, List.of(), 0, null, null);
        }

        /** Completes the call with {@code outcome}, counting every attempt, all their usage and the whole wait. */
        void finish(ChatOutcome outcome) {
            if (result.isDone()) return;
            long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
            result.complete(new ChatOutcome(model, outcome.content(), outcome.reasoning(), usage, latencyMs, outcome.statusCode(),
                    outcome.failure(), outcome.errorMessage(), outcome.finishReason(), outcome.sources(), attempts,
                    outcome.retryAfterMillis(), outcome.rateLimit()));
        }

        /** Stops waiting for a permit once the call is over (cancelled by its caller, or closed). */
        void abandon() {
            CompletableFuture<ProviderThrottle.Permit> permit = waiting;
            if (permit != null && permit.cancel(false)) throttle.forgetCancelled();
        }
    }

    private static Usage plus(Usage a, Usage b) {
        if (b == null || b.equals(Usage.NONE)) return a;
        if (a.equals(Usage.NONE)) return b;
        Double cost = a.cost() == null ? b.cost() : b.cost() == null ? a.cost() : Double.valueOf(a.cost() + b.cost());
        return new Usage(a.promptTokens() + b.promptTokens(), a.completionTokens() + b.completionTokens(),
                a.reasoningTokens() + b.reasoningTokens(), cost);
    }
}
