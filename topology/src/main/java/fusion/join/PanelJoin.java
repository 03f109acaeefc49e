package fusion.join;

import fusion.events.EventRoute;
import fusion.events.FusionEvent;
import fusion.schema.Deliberation;
import fusion.schema.PanelAnswer;
import fusion.schema.PanelResponse;
import java.time.Duration;
import java.util.ArrayList;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Gathers each request's panel responses by request id and emits the moment all distinct panel
 * answers are in. Each request is emitted once; a duplicate response is ignored.
 *
 * <p>The join keeps no deadline of its own for the panel. The call stage guarantees exactly one response
 * per task, and each member's timeout counts from when its own call was sent ({@code fusion.join.deadline-ms}):
 * a member still queued behind the limits has not started its clock, so it is never "timed out" while
 * it is still going to be sent and paid for. A deadline counted here, from a sibling's answer, would
 * throw such answers away.
 *
 * <p>The one clock it keeps is a request's own choice: with a {@code quorum}, once that many panel models
 * have answered, the join waits at most {@code quorum_grace_ms} for the rest ({@link QuorumGrace}), then
 * emits what it has, the rest failed as {@code quorum_timeout}. The deadline is in the stored deliberation,
 * so the wait survives a crash. The deliberation then stays, marked closed, until the laggards' responses
 * are in: each is recorded (and its cost with it, on the events topic) and never emitted.
 *
 * <p>The {@link #EMITTED_STORE} of earlier releases (ids emitted, with when) is still read, so a late answer
 * restored from their state never opens a second result, and forgotten by its old retention.
 */
public final class PanelJoin implements Processor<String, PanelResponse, String, Object> {
    /** Open requests: bounded by the calls in flight. */
    public static final String STORE = "deliberations";
    /** Request ids emitted by releases up to 0.1.0, with when: read, never written. */
    public static final String EMITTED_STORE = "emitted-requests";

    private final Duration emittedRetention;
    private final Duration scanInterval;
    private final String judge;
    private final EventRoute events;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, Deliberation> store;
    private KeyValueStore<String, Long> emitted;
    private QuorumGrace grace;
    private long lastForget;

    /** @param emittedRetention how long the earlier releases' emitted ids are still honoured */
    public PanelJoin(Duration emittedRetention, Duration scanInterval) {
        this(emittedRetention, scanInterval, null, EventRoute.OFF);
    }

    /** @param judge the child that judges emitted deliberations (null: every child); @param events where panel events go */
    public PanelJoin(Duration emittedRetention, Duration scanInterval, String judge, EventRoute events) {
        this.emittedRetention = emittedRetention;
        this.scanInterval = scanInterval;
        this.judge = judge;
        this.events = events;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        this.emitted = context.getStateStore(EMITTED_STORE);
        this.grace = new QuorumGrace(store, fusion.fanout.OpenRequests.of(context));
        var forget = new fusion.intake.Retention<>(emitted, emittedRetention, at -> at, context.currentSystemTimeMs());
        context.schedule(scanInterval, PunctuationType.WALL_CLOCK_TIME, now -> {
            grace.overdue(now, this::emit);
            if (now - lastForget >= emittedRetention.toMillis() / 10) {
                lastForget = now;
                forget.forgetOld(now);
            }
        });
    }

    @Override
    public void process(Record<String, PanelResponse> record) {
        PanelResponse response = record.value();
        if (response == null) return;
        long now = context.currentSystemTimeMs();
        String id = response.getRequestId();
        // 0.1.0 responses carry their request (and so their try); later ones carry the try alone
        int attempt = response.getRequest() != null ? response.getRequest().getAttempt() : response.getAttempt();
        if (attempt <= 1 && emitted.get(id) != null) {
            return; // emitted already by an earlier release: a late response
        }
        String key = fusion.fanout.OpenRequests.key(id, attempt);
        Deliberation d = store.get(key);
        if (d == null) {
            d = Deliberation.newBuilder()
                    .setRequestId(id)
                    .setAttempt(attempt)
                    .setRequest(response.getRequest()) // carried only by 0.1.0's calls, whose request was never opened
                    .setPanelSize(response.getPanelSize())
                    .setOpenedAt(now)
                    .setDeadlineAt(0)
                    .setAnswers(new ArrayList<>())
                    .build();
            grace.opened(d);
        }
        if (QuorumGrace.has(d, response.getIndex())) {
            return;
        }
        d.getAnswers().add(new PanelAnswer(response.getIndex(), response.getOutcome()));
        boolean late = d.getClosedAt() != null;
        events.emit(context, FusionEvent.panelAnswered(id, attempt, response.getIndex(), response.getOutcome(), late, now));
        boolean all = d.getAnswers().size() >= d.getPanelSize();
        if (late) {
            // went on at its quorum already: the laggard is recorded, and nothing is emitted again
            if (all) store.delete(key);
            else store.put(key, d);
        } else if (all) {
            context.forward(new Record<>(id, d, now), judge);
            store.delete(key);
        } else if (grace.answered(d, now)) {
            emit(d, now);
        } else {
            store.put(key, d);
        }
    }

    /** Goes on with what is in, the rest failed as quorum_timeout, and keeps the deliberation closed for the laggards. */
    private void emit(Deliberation d, long now) {
        context.forward(new Record<>(d.getRequestId(), grace.close(d, now), now), judge);
    }
}
