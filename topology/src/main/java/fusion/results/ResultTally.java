package fusion.results;

import fusion.schema.FusionResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Counts results by status on their way to the results topic ({@code fusion.results} with
 * {@code status}, {@code failure_reason} and {@code analysis} present or absent), in Micrometer's
 * global registry, so any registry the runtime adds to it (Prometheus) sees them. Under
 * exactly-once a result of an aborted transaction is counted too: the counter is at least once.
 * Every result passes here, so here is where its request stops being held open.
 */
public final class ResultTally implements Processor<String, FusionResult, String, Object> {
    public static final String METER = "fusion.results";
    private final MeterRegistry registry;
    private final String results;
    private final fusion.events.EventRoute events;
    private ProcessorContext<String, Object> context;
    private fusion.fanout.OpenRequests open;

    public ResultTally() {
        this(Metrics.globalRegistry, null, fusion.events.EventRoute.OFF);
    }

    /** @param results the results sink; @param events where each request's final {@code completed} event goes */
    public ResultTally(String results, fusion.events.EventRoute events) {
        this(Metrics.globalRegistry, results, events);
    }

    public ResultTally(MeterRegistry registry, String results, fusion.events.EventRoute events) {
        this.registry = registry;
        this.results = results;
        this.events = events;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.open = fusion.fanout.OpenRequests.of(context);
    }

    @Override
    public void process(Record<String, FusionResult> record) {
        FusionResult r = record.value();
        Counter.builder(METER)
                .description("Fusion results written, by status")
                .tag("status", r.getStatus().name())
                .tag("failure_reason", r.getFailureReason() == null ? "none" : r.getFailureReason())
                .tag("analysis", r.getAnalysis() == null ? "absent" : "present")
                .register(registry)
                .increment();
        // Its result closes the request: it is held no longer (a no-op for requests that never opened).
        open.close(r.getRequestId(), r.getAttempt());
        context.forward(record, results);
        events.emit(context, fusion.events.FusionEvent.completed(r, context.currentSystemTimeMs()));
    }
}
