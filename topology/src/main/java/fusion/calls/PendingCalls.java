package fusion.calls;

import fusion.model.ChatClient;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.FailureKind;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The asynchronous call mechanism of the call, judge and synthesis stages. A call is first written
 * to a changelogged store, then started; its completion waits in a queue until the stream thread
 * forwards it and deletes it from the store, in the same transaction. So the stream thread never
 * waits on a model, and a call whose completion was not committed is issued again by whoever owns
 * the task next ({@link #resumeAll()}): at least once per call, exactly once per output record.
 *
 * <p>When a model's in-flight limit is reached, new calls wait in a bounded local queue and start
 * as slots free up, so other work (the judge of finished panels) goes on meanwhile. Only when that
 * queue is full too does the stream thread wait, for capacity alone, and never longer than a bound.
 */
public final class PendingCalls<V> {
    private static final Logger log = LoggerFactory.getLogger(PendingCalls.class);

    /** A finished call, waiting for the stream thread. */
    public record Completed<V>(String key, V pending, ChatOutcome outcome) {}

    private record Waiting<V>(String key, V pending, ChatRequest request) {}

    private final String stage;
    private final KeyValueStore<String, V> store;
    private final Function<V, ChatRequest> requestOf;
    private final ChatClient client;
    private final CallCapacity capacity;
    private final long maxWaitMillis;
    private final int maxQueued;
    private final Queue<Completed<V>> completed = new ConcurrentLinkedQueue<>();
    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    /** Stored calls not yet started, per model in arrival order; touched by the stream thread only. */
    private final Map<String, ArrayDeque<Waiting<V>>> queued = new LinkedHashMap<>();
    private final Set<String> queuedKeys = new HashSet<>();
    /** Asked just before a call goes out: an outcome for a call that must not be sent any more, or null to send it. */
    private Function<V, ChatOutcome> notSent = pending -> null;
    private volatile boolean closed;

    /**
     * @param maxWaitMillis how long {@link #start} may wait for capacity; kept well under
     *     max.poll.interval.ms, past it the call is queued anyway so the thread never stalls out of its group
     * @param maxQueued calls that may wait for capacity before the stream thread itself waits
     */
    public PendingCalls(String stage, KeyValueStore<String, V> store, Function<V, ChatRequest> requestOf,
                        ChatClient client, CallCapacity capacity, long maxWaitMillis, int maxQueued) {
        this.stage = stage;
        this.store = store;
        this.requestOf = requestOf;
        this.client = client;
        this.capacity = capacity;
        this.maxWaitMillis = maxWaitMillis;
        this.maxQueued = maxQueued;
    }

    /**
     * The calls of one stage's processor: opens its store, forwards completions on a wall-clock
     * punctuator (so they go out even when no record arrives) and issues again what a previous owner left pending.
     */
    public static <V> PendingCalls<V> attach(ProcessorContext<?, ?> context, String storeName, String stage,
                                             Function<V, ChatRequest> requestOf, ChatClient client, CallCapacity capacity,
                                             CallSettings settings, Consumer<Completed<V>> forward) {
        return attach(context, storeName, stage, requestOf, pending -> null, client, capacity, settings, forward);
    }

    /**
     * The same, with {@code notSent} asked just before each call goes out, however long it waited in
     * the queue: when it gives an outcome, the call is not sent and completes with that outcome.
     */
    public static <V> PendingCalls<V> attach(ProcessorContext<?, ?> context, String storeName, String stage,
                                             Function<V, ChatRequest> requestOf, Function<V, ChatOutcome> notSent,
                                             ChatClient client, CallCapacity capacity, CallSettings settings,
                                             Consumer<Completed<V>> forward) {
        KeyValueStore<String, V> store = context.getStateStore(storeName);
        PendingCalls<V> calls = new PendingCalls<>(stage, store, requestOf, client, capacity, settings.maxCapacityWaitMillis(),
                settings.maxQueued());
        calls.notSent = notSent;
        context.schedule(settings.forwardInterval(), PunctuationType.WALL_CLOCK_TIME, now -> calls.forwardCompleted(forward));
        calls.resumeAll();
        return calls;
    }

    /**
     * Records the call and starts it, or queues it when its model is at its limit. When the queue is
     * full, waits for capacity (forwarding completions meanwhile). Returns false when this key is already pending.
     */
    public boolean start(String key, V pending, Consumer<Completed<V>> forward) {
        if (store.get(key) != null) {
            return false;
        }
        store.put(key, pending);
        ChatRequest request = requestOf.apply(pending);
        if (!queued.containsKey(request.model()) && capacity.tryAcquire(request.model())) {
            issue(key, pending, request);
            return true;
        }
        if (queuedKeys.size() >= maxQueued) awaitRoom(forward);
        enqueue(new Waiting<>(key, pending, request));
        issueQueued();
        return true;
    }

    /** Queues every call in the store that this instance has not started: after a restart or rebalance. */
    public int resumeAll() {
        int resumed = 0;
        try (KeyValueIterator<String, V> it = store.all()) {
            while (it.hasNext()) {
                var entry = it.next();
                if (issued.contains(entry.key) || queuedKeys.contains(entry.key)) continue;
                enqueue(new Waiting<>(entry.key, entry.value, requestOf.apply(entry.value)));
                resumed++;
            }
        }
        issueQueued();
        if (resumed > 0) {
            log.info("{}: issued {} pending calls again after restart or rebalance", stage, resumed);
        }
        return resumed;
    }

    /** Forwards every completed call and deletes it from the store, then starts queued calls that now fit. Runs on the stream thread. */
    public int forwardCompleted(Consumer<Completed<V>> forward) {
        int forwarded = 0;
        Completed<V> done;
        while ((done = completed.poll()) != null) {
            issued.remove(done.key());
            if (store.get(done.key()) == null) {
                continue; // already forwarded: a duplicate completion
            }
            forward.accept(done);
            store.delete(done.key());
            forwarded++;
        }
        issueQueued();
        return forwarded;
    }

    /** Calls started by this instance and not yet forwarded. */
    public int outstanding() {
        return issued.size();
    }

    /** Calls stored and waiting for capacity. */
    public int queued() {
        return queuedKeys.size();
    }

    /**
     * Stops taking completions: the task moved or closed. Its calls stay in the store and are
     * issued again by the next owner; late completions here are dropped.
     */
    public void close() {
        closed = true;
        completed.clear();
        queued.clear();
        queuedKeys.clear();
    }

    /** Starts queued calls, oldest first, each as soon as its model has room; a full model does not hold up the others. */
    private void issueQueued() {
        if (queued.isEmpty()) return;
        for (var it = queued.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            ArrayDeque<Waiting<V>> line = entry.getValue();
            while (!line.isEmpty() && capacity.tryAcquire(entry.getKey())) {
                Waiting<V> w = line.poll();
                queuedKeys.remove(w.key());
                issue(w.key(), w.pending(), w.request());
            }
            if (line.isEmpty()) it.remove();
        }
    }

    private void enqueue(Waiting<V> w) {
        queued.computeIfAbsent(w.request().model(), m -> new ArrayDeque<>()).add(w);
        queuedKeys.add(w.key());
    }

    private void awaitRoom(Consumer<Completed<V>> forward) {
        long deadline = System.currentTimeMillis() + maxWaitMillis;
        try {
            while (queuedKeys.size() >= maxQueued) {
                forwardCompleted(forward);
                if (queuedKeys.size() < maxQueued) return;
                if (System.currentTimeMillis() >= deadline) {
                    log.warn("{}: {} calls queued and no capacity came free within {} ms; queueing past the bound", stage,
                            queuedKeys.size(), maxWaitMillis);
                    return;
                }
                capacity.awaitRelease(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void issue(String key, V pending, ChatRequest request) {
        issued.add(key);
        CallBudget budget = capacity.budget();
        ChatOutcome refused = notSent.apply(pending);
        if (refused == null && budget.exhausted()) {
            refused = ChatOutcome.failed(request.model(), FailureKind.BUDGET_EXCEEDED, null,
                    "not sent: the run's cost limit was reached (" + budget.describe() + ")", 0);
        }
        if (refused != null) {
            // Not sent, so not paid for: the request's result says why.
            capacity.release(request.model());
            completed.add(new Completed<>(key, pending, refused));
            return;
        }
        CallOutcomes.safely(client, request).whenComplete((outcome, error) -> {
            capacity.release(request.model());
            ChatOutcome result = budget.record(outcome != null ? outcome
                    : ChatOutcome.failed(request.model(), FailureKind.NETWORK_ERROR, null, "call failed: " + error, 0));
            if (closed) return;
            completed.add(new Completed<>(key, pending, result));
        });
    }
}
