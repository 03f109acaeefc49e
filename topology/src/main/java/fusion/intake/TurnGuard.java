package fusion.intake;

import fusion.results.FusionResults;
import fusion.schema.FusionRequest;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * At most one fusion run per turn: the first request of a turn goes on to fan-out, a later one
 * with another request id gets {@code fusion_invocation_capped}. Input is keyed by turn id, so
 * every request of a turn meets here. A turn is remembered for the request retention
 * ({@code fusion.intake.retention-ms}), then forgotten.
 */
public final class TurnGuard implements Processor<String, FusionRequest, String, Object> {
    public static final String STORE = "turns";
    /** Stored values are {@code <epoch millis> SEP <request id>}; releases up to 0.1.0 stored the id alone. */
    private static final char SEP = '\u0000';

    private final String fanOut;
    private final String results;
    private final Duration retention;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, String> turns;

    public TurnGuard(String fanOut, String results, Duration retention) {
        this.fanOut = fanOut;
        this.results = results;
        this.retention = retention;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.turns = context.getStateStore(STORE);
        Retention<String> forget = new Retention<>(turns, retention, TurnGuard::storedAt, context.currentSystemTimeMs());
        context.schedule(Retention.scanInterval(retention), PunctuationType.WALL_CLOCK_TIME, forget::forgetOld);
    }

    @Override
    public void process(Record<String, FusionRequest> record) {
        FusionRequest request = record.value();
        String turn = record.key();
        long now = context.currentSystemTimeMs();
        String stored = turns.get(turn);
        String first = stored == null ? null : requestId(stored);
        if (first == null) {
            turns.put(turn, now + "" + SEP + request.getRequestId());
        } else if (!first.equals(request.getRequestId())) {
            context.forward(new Record<>(request.getRequestId(), FusionResults.capped(request, first, now), now), results);
            return;
        }
        context.forward(new Record<>(request.getRequestId(), request, now), fanOut);
    }

    private static String requestId(String stored) {
        int sep = stored.indexOf(SEP);
        return sep < 0 ? stored : stored.substring(sep + 1);
    }

    /** 0 for an entry of an earlier release, which carries no time: kept. */
    private static long storedAt(String stored) {
        int sep = stored.indexOf(SEP);
        return sep < 0 ? 0 : Long.parseLong(stored.substring(0, sep));
    }
}
