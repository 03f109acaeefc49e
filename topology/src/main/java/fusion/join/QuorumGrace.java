package fusion.join;

import fusion.calls.CallOutcomes;
import fusion.fanout.OpenRequests;
import fusion.model.FailureKind;
import fusion.schema.CallOutcome;
import fusion.schema.Deliberation;
import fusion.schema.FusionRequest;
import fusion.schema.PanelAnswer;
import fusion.schema.TokenUsage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A request's quorum and grace in the join. Once {@code quorum} panel models have answered, the deliberation
 * gets a {@code grace_until}; past it, the join goes on with what is in. The deadline lives in the stored
 * deliberation, so a restarted join keeps the same one: {@link #QuorumGrace} reads the open graces back from the
 * store, and a wait that ended during the outage ends at the first scan.
 */
final class QuorumGrace {
    private final KeyValueStore<String, Deliberation> store;
    private final OpenRequests open;
    /** Deliberations waiting out a grace, by store key: so the scan reads only these, not every open request. */
    private final Map<String, Long> waiting = new HashMap<>();

    QuorumGrace(KeyValueStore<String, Deliberation> store, OpenRequests open) {
        this.store = store;
        this.open = open;
        try (KeyValueIterator<String, Deliberation> it = store.all()) {
            while (it.hasNext()) {
                var e = it.next();
                if (e.value.getGraceUntil() != null && e.value.getClosedAt() == null) waiting.put(e.key, e.value.getGraceUntil());
            }
        }
    }

    /** A deliberation the join opens takes its request's quorum and grace, read once, so no answer needs the request again. */
    void opened(Deliberation d) {
        FusionRequest request = d.getRequest() != null ? d.getRequest() : open.find(d.getRequestId(), d.getAttempt());
        if (request == null || request.getQuorum() == null) return;
        d.setQuorum(request.getQuorum());
        d.setQuorumGraceMs(request.getQuorumGraceMs());
    }

    /**
     * An answer was just added to {@code d} (not yet stored): starts its grace when this answer brings the quorum in.
     * True when the request is to go on now (a grace of 0, or one that has passed).
     */
    boolean answered(Deliberation d, long now) {
        if (d.getGraceUntil() == null) {
            if (d.getQuorum() == null || answeredCount(d) < d.getQuorum()) return false;
            long grace = d.getQuorumGraceMs() == null ? 0 : Math.max(0, d.getQuorumGraceMs());
            d.setGraceUntil(now + grace);
            waiting.put(OpenRequests.key(d.getRequestId(), d.getAttempt()), d.getGraceUntil());
        }
        return now >= d.getGraceUntil();
    }

    /** Hands every deliberation whose grace has passed to {@code emit}; wall-clock punctuator, stream thread. */
    void overdue(long now, BiConsumer<Deliberation, Long> emit) {
        if (waiting.isEmpty()) return;
        List<String> due = new ArrayList<>();
        waiting.forEach((key, until) -> {
            if (now >= until) due.add(key);
        });
        for (String key : due) {
            Deliberation d = store.get(key);
            if (d == null || d.getClosedAt() != null) {
                waiting.remove(key);
                continue;
            }
            emit.accept(d, now);
        }
    }

    /**
     * What goes on to the judge: the answers in, and a {@code quorum_timeout} for each panel model not waited for.
     * The stored deliberation is marked closed and kept until the laggards are in, so none of them opens it again.
     */
    Deliberation close(Deliberation d, long now) {
        String key = OpenRequests.key(d.getRequestId(), d.getAttempt());
        waiting.remove(key);
        FusionRequest request = d.getRequest() != null ? d.getRequest() : open.find(d.getRequestId(), d.getAttempt());
        List<PanelAnswer> answers = new ArrayList<>(d.getAnswers());
        for (int i = 0; i < d.getPanelSize(); i++) {
            if (has(d, i)) continue;
            String model = request != null && i < request.getAnalysisModels().size() ? request.getAnalysisModels().get(i) : "panel seat " + i;
            answers.add(new PanelAnswer(i, notWaitedFor(model, now)));
        }
        Deliberation out = Deliberation.newBuilder(d).setAnswers(answers).setClosedAt(now).build();
        d.setClosedAt(now);
        store.put(key, d);
        return out;
    }

    private static CallOutcome notWaitedFor(String model, long now) {
        return CallOutcome.newBuilder()
                .setModel(model)
                .setUsage(new TokenUsage(0L, 0L, 0L, null, 0L, null))
                .setLatencyMs(0)
                .setErrorKind(FailureKind.QUORUM_TIMEOUT.wireName())
                .setErrorMessage("not waited for: the request's quorum was in and its quorum_grace_ms ran out first")
                .setAttempts(0)
                .setCompletedAt(now)
                .build();
    }

    static int answeredCount(Deliberation d) {
        int n = 0;
        for (PanelAnswer a : d.getAnswers()) {
            if (CallOutcomes.succeeded(a.getOutcome())) n++;
        }
        return n;
    }

    static boolean has(Deliberation d, int index) {
        for (PanelAnswer a : d.getAnswers()) {
            if (a.getIndex() == index) return true;
        }
        return false;
    }
}
