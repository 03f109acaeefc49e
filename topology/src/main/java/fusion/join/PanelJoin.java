package fusion.join;

import fusion.calls.CallOutcomes;
import fusion.schema.CallOutcome;
import fusion.schema.Deliberation;
import fusion.schema.PanelAnswer;
import fusion.schema.PanelResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Gathers each request's panel responses by request id. It emits the moment all distinct panel
 * answers are in; a wall-clock punctuator closes overdue requests with what arrived, the missing
 * models failing as timeouts, even when no new record comes. Duplicates and late responses are
 * ignored: each request is emitted once.
 *
 * <p>A request's window opens at its first panel response, not at fan-out: in a bulk run the
 * panel-tasks backlog can hold a request far longer than any call takes, and a deadline counted
 * from fan-out would fail requests that were merely queued. The call stage guarantees one
 * response per task, so the first always comes.
 */
public final class PanelJoin implements Processor<String, PanelResponse, String, Deliberation> {
    /** Open requests: bounded by the calls in flight, scanned by the punctuator. */
    public static final String STORE = "deliberations";
    /** Request ids already emitted, with when: kept apart so the deadline scan stays small. */
    public static final String EMITTED_STORE = "emitted-requests";

    private final Duration deadline;
    private final Duration emittedRetention;
    private final Duration scanInterval;
    private ProcessorContext<String, Deliberation> context;
    private KeyValueStore<String, Deliberation> store;
    private KeyValueStore<String, Long> emitted;
    private long lastForget;

    /**
     * @param deadline how long after the first panel response the others may come
     * @param emittedRetention how long an emitted request is remembered, to ignore late duplicates
     */
    public PanelJoin(Duration deadline, Duration emittedRetention, Duration scanInterval) {
        this.deadline = deadline;
        this.emittedRetention = emittedRetention;
        this.scanInterval = scanInterval;
    }

    @Override
    public void init(ProcessorContext<String, Deliberation> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        this.emitted = context.getStateStore(EMITTED_STORE);
        context.schedule(scanInterval, PunctuationType.WALL_CLOCK_TIME, this::closeOverdue);
    }

    @Override
    public void process(Record<String, PanelResponse> record) {
        PanelResponse response = record.value();
        if (response == null) return;
        long now = context.currentSystemTimeMs();
        String id = response.getRequestId();
        if (emitted.get(id) != null) {
            return; // emitted already: a duplicate or a late response
        }
        Deliberation d = store.get(id);
        if (d == null) {
            d = Deliberation.newBuilder()
                    .setRequestId(id)
                    .setRequest(response.getRequest())
                    .setPanelSize(response.getPanelSize())
                    .setOpenedAt(now)
                    .setDeadlineAt(now + deadline.toMillis())
                    .setAnswers(new ArrayList<>())
                    .build();
        }
        if (hasAnswer(d, response.getIndex())) {
            return;
        }
        d.getAnswers().add(new PanelAnswer(response.getIndex(), response.getOutcome()));
        if (d.getAnswers().size() >= d.getPanelSize()) {
            emit(d, now);
        } else {
            store.put(id, d);
        }
    }

    private void closeOverdue(long now) {
        List<Deliberation> overdue = new ArrayList<>();
        try (KeyValueIterator<String, Deliberation> it = store.all()) {
            while (it.hasNext()) {
                Deliberation d = it.next().value;
                if (now >= d.getDeadlineAt()) overdue.add(d);
            }
        }
        for (Deliberation d : overdue) {
            List<String> panel = d.getRequest().getAnalysisModels();
            BitSet present = new BitSet();
            d.getAnswers().forEach(a -> present.set(a.getIndex()));
            for (int i = 0; i < d.getPanelSize(); i++) {
                if (present.get(i)) continue;
                String model = i < panel.size() ? panel.get(i) : "panel-" + i;
                CallOutcome missing = CallOutcomes.timedOut(model, now - d.getOpenedAt(), now);
                d.getAnswers().add(new PanelAnswer(i, missing));
            }
            emit(d, now);
        }
        if (now - lastForget >= emittedRetention.toMillis() / 10) {
            lastForget = now;
            forgetEmittedBefore(now - emittedRetention.toMillis());
        }
    }

    private void forgetEmittedBefore(long cutoff) {
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = emitted.all()) {
            while (it.hasNext()) {
                KeyValue<String, Long> e = it.next();
                if (e.value < cutoff) old.add(e.key);
            }
        }
        old.forEach(emitted::delete);
    }

    private void emit(Deliberation d, long now) {
        context.forward(new Record<>(d.getRequestId(), d, now));
        store.delete(d.getRequestId());
        emitted.put(d.getRequestId(), now);
    }

    private static boolean hasAnswer(Deliberation d, int index) {
        for (PanelAnswer a : d.getAnswers()) {
            if (a.getIndex() == index) return true;
        }
        return false;
    }
}
