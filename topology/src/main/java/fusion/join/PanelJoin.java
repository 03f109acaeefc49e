package fusion.join;

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
 * <p>The join keeps no clock of its own. The call stage guarantees exactly one response per task,
 * and each member's timeout counts from when its own call was sent ({@code fusion.join.deadline-ms}):
 * a member still queued behind the limits has not started its clock, so it is never "timed out" while
 * it is still going to be sent and paid for. A deadline counted here, from a sibling's answer, would
 * throw such answers away.
 *
 * <p>Because a request closes only with all its answers in, no answer can come after it: nothing needs
 * remembering once it is emitted, and the join's memory is bounded by the requests in flight. The
 * {@link #EMITTED_STORE} of earlier releases (ids emitted, with when) is still read, so a late answer
 * restored from their state never opens a second result, and forgotten by its old retention.
 */
public final class PanelJoin implements Processor<String, PanelResponse, String, Deliberation> {
    /** Open requests: bounded by the calls in flight. */
    public static final String STORE = "deliberations";
    /** Request ids emitted by releases up to 0.1.0, with when: read, never written. */
    public static final String EMITTED_STORE = "emitted-requests";

    private final Duration emittedRetention;
    private final Duration scanInterval;
    private ProcessorContext<String, Deliberation> context;
    private KeyValueStore<String, Deliberation> store;
    private KeyValueStore<String, Long> emitted;
    private long lastForget;

    /** @param emittedRetention how long the earlier releases' emitted ids are still honoured */
    public PanelJoin(Duration emittedRetention, Duration scanInterval) {
        this.emittedRetention = emittedRetention;
        this.scanInterval = scanInterval;
    }

    @Override
    public void init(ProcessorContext<String, Deliberation> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        this.emitted = context.getStateStore(EMITTED_STORE);
        var forget = new fusion.intake.Retention<>(emitted, emittedRetention, at -> at, context.currentSystemTimeMs());
        context.schedule(scanInterval, PunctuationType.WALL_CLOCK_TIME, now -> {
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
        }
        if (hasAnswer(d, response.getIndex())) {
            return;
        }
        d.getAnswers().add(new PanelAnswer(response.getIndex(), response.getOutcome()));
        if (d.getAnswers().size() >= d.getPanelSize()) {
            context.forward(new Record<>(id, d, now));
            store.delete(key);
        } else {
            store.put(key, d);
        }
    }

    private static boolean hasAnswer(Deliberation d, int index) {
        for (PanelAnswer a : d.getAnswers()) {
            if (a.getIndex() == index) return true;
        }
        return false;
    }
}
