package fusion.intake;

import fusion.results.FusionResults;
import fusion.schema.FusionRequest;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * At most one fusion run per turn: the first request of a turn goes on to fan-out, a later one
 * with another request id gets {@code fusion_invocation_capped}. Input is keyed by turn id, so
 * every request of a turn meets here.
 */
public final class TurnGuard implements Processor<String, FusionRequest, String, Object> {
    public static final String STORE = "turns";

    private final String fanOut;
    private final String results;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, String> turns;

    public TurnGuard(String fanOut, String results) {
        this.fanOut = fanOut;
        this.results = results;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.turns = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, FusionRequest> record) {
        FusionRequest request = record.value();
        String turn = record.key();
        long now = context.currentSystemTimeMs();
        String first = turns.get(turn);
        if (first == null) {
            turns.put(turn, request.getRequestId());
        } else if (!first.equals(request.getRequestId())) {
            context.forward(new Record<>(request.getRequestId(), FusionResults.capped(request, first, now), now), results);
            return;
        }
        context.forward(new Record<>(request.getRequestId(), request, now), fanOut);
    }
}
