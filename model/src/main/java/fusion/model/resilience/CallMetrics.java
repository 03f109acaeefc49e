package fusion.model.resilience;

import fusion.model.ChatOutcome;
import fusion.model.FailureKind;
import fusion.model.Usage;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Model-call meters. Names and tags follow the OpenTelemetry GenAI semantic conventions where
 * they define one ({@code gen_ai.client.operation.duration}, {@code gen_ai.client.token.usage});
 * the rest are {@code fusion.model.*}. Tags carry only the provider name, the model id and
 * failure kinds: never a prompt, an answer or a key.
 */
final class CallMetrics {
    static final String OPERATION_DURATION = "gen_ai.client.operation.duration";
    static final String TOKEN_USAGE = "gen_ai.client.token.usage";
    static final String COST = "fusion.model.cost";
    static final String IN_FLIGHT = "fusion.model.calls.in_flight";
    static final String QUEUED = "fusion.model.calls.queued";
    static final String RETRIES = "fusion.model.retries";
    static final String CIRCUIT_STATE = "fusion.model.circuit.state";

    static final String OPERATION_NAME = "gen_ai.operation.name";
    static final String PROVIDER_NAME = "gen_ai.provider.name";
    static final String REQUEST_MODEL = "gen_ai.request.model";
    static final String ERROR_TYPE = "error.type";
    static final String TOKEN_TYPE = "gen_ai.token.type";
    static final String REASON = "reason";

    /** Bucket boundaries the GenAI conventions advise, in seconds and in tokens. */
    private static final double[] DURATION_BUCKETS_SECONDS = {0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92};
    private static final double[] TOKEN_BUCKETS = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864};

    private final MeterRegistry registry;
    /** Gauges read live objects of one client; they go when the client closes. */
    private final List<Meter> gauges = new CopyOnWriteArrayList<>();

    CallMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One HTTP attempt: its duration, tokens and cost. Every attempt counts, since failed ones can bill tokens too. */
    void attempt(String provider, String model, ChatOutcome outcome, long nanos) {
        Tags tags = Tags.of(OPERATION_NAME, "chat", PROVIDER_NAME, provider, REQUEST_MODEL, model);
        Timer.builder(OPERATION_DURATION)
                .description("GenAI operation duration: one chat-completions HTTP attempt")
                .tags(outcome.failure() == null ? tags : tags.and(ERROR_TYPE, outcome.failure().wireName()))
                .serviceLevelObjectives(seconds(DURATION_BUCKETS_SECONDS))
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
        Usage usage = outcome.usage();
        if (usage.promptTokens() > 0 || usage.completionTokens() > 0) {
            tokens(tags.and(TOKEN_TYPE, "input")).record(usage.promptTokens());
            tokens(tags.and(TOKEN_TYPE, "output")).record(usage.completionTokens());
        }
        if (usage.cost() != null && usage.cost() > 0) {
            Counter.builder(COST)
                    .description("What model calls cost, as the provider reported it")
                    .baseUnit("usd")
                    .tags(PROVIDER_NAME, provider, REQUEST_MODEL, model)
                    .register(registry)
                    .increment(usage.cost());
        }
    }

    void retry(String provider, String model, FailureKind reason) {
        Counter.builder(RETRIES)
                .description("Model calls tried again, by the failure that caused it")
                .tags(PROVIDER_NAME, provider, REQUEST_MODEL, model, REASON, reason.wireName())
                .register(registry)
                .increment();
    }

    void providerGauges(ProviderThrottle throttle) {
        gauge(IN_FLIGHT, "Model calls sent and not yet answered", throttle, ProviderThrottle::inFlight,
                Tags.of(PROVIDER_NAME, throttle.provider()));
        gauge(QUEUED, "Model calls waiting for the provider's limits", throttle, ProviderThrottle::queued,
                Tags.of(PROVIDER_NAME, throttle.provider()));
    }

    /** 0 closed, 1 half-open (probing), 2 open (failing fast); 3 for resilience4j's manual states. */
    void circuitGauge(String provider, String model, CircuitBreaker circuit) {
        gauge(CIRCUIT_STATE, "Model circuit: 0 closed, 1 half-open, 2 open", circuit, c -> circuitStateValue(c.getState()),
                Tags.of(PROVIDER_NAME, provider, REQUEST_MODEL, model));
    }

    static int circuitStateValue(CircuitBreaker.State state) {
        return switch (state) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
            default -> 3;
        };
    }

    void close() {
        gauges.forEach(registry::remove);
        gauges.clear();
    }

    private <T> void gauge(String name, String description, T target, ToDoubleFunction<T> value, Tags tags) {
        gauges.add(Gauge.builder(name, target, value).description(description).tags(tags).strongReference(true).register(registry));
    }

    private DistributionSummary tokens(Tags tags) {
        return DistributionSummary.builder(TOKEN_USAGE)
                .description("Tokens used per chat-completions attempt")
                .tags(tags)
                .serviceLevelObjectives(TOKEN_BUCKETS)
                .register(registry);
    }

    private static Duration[] seconds(double[] values) {
        Duration[] d = new Duration[values.length];
        for (int i = 0; i < values.length; i++) d[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
        return d;
    }
}
