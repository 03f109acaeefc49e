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
import java.util.concurrent.CompletableFuture;
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
 * queue is full too does the stream thread wait for capacity, and then only out of a per-thread
 * {@link WaitAllowance}: however long a provider pauses, one poll loop never waits longer than the
 * allowance, so a transaction stays far from {@code transaction.timeout.ms} and the thread never
 * drops out of its group. Past the allowance calls queue beyond the bound (they are in the store already).
 *
 * <p>A call's deadline counts from when it was sent, not from when it was stored: a call queued
 * behind the limits has not started its clock. Past the deadline it completes as a timeout, and a
 * real answer that comes later is dropped, so every stored call still yields exactly one completion.
 */
public final class PendingCalls<V> {
    private static final Logger log = LoggerFactory.getLogger(PendingCalls.class);

    /** A finished call, waiting for the stream thread. */
    public record Completed<V>(String key, V pending, ChatOutcome outcome) {}

    private record Waiting<V>(String key, V pending, ChatRequest request) {}

    /** A call on the wire: when it was sent (the stage's wall clock) and its future, to give up on it past the deadline. */
    private record Sent(String model, long sentAt, CompletableFuture<ChatOutcome> call) {}

    private final String stage;
    private final KeyValueStore<String, V> store;
    private final Function<V, ChatRequest> requestOf;
    private final ChatClient client;
    private final CallCapacity capacity;
    private final long maxWaitMillis;
    private final int maxQueued;
    private final Queue<Completed<V>> completed = new ConcurrentLinkedQueue<>();
    private final Map<String, Sent> issued = new ConcurrentHashMap<>();
    /** Calls completed as timeouts whose real answer, if it comes, is dropped. */
    private final Set<String> gaveUp = ConcurrentHashMap.newKeySet();
    private final long deadlineMillis;
    /** The stage's wall clock: the punctuator's time, so tests drive it as they drive the TopologyTestDriver's clock. */
    private volatile long now = System.currentTimeMillis();
    private long lastDeadlineScan;
    /** Stored calls not yet started, per model in arrival order; touched by the stream thread only. */
    private final Map<String, ArrayDeque<Waiting<V>>> queued = new LinkedHashMap<>();
    private final Set<String> queuedKeys = new HashSet<>();
    /** Asked just before a call goes out: an outcome for a call that must not be sent any more, or null to send it. */
    private Function<V, ChatOutcome> notSent = pending -> null;
    private volatile boolean closed;

    /**
     * @param maxWaitMillis the stream thread's wait allowance (see {@link WaitAllowance}); past it calls are queued anyway
     * @param maxQueued calls that may wait for capacity before the stream thread itself waits
     * @param deadlineMillis how long a sent call may take before it completes as a timeout
     */
    public PendingCalls(String stage, KeyValueStore<String, V> store, Function<V, ChatRequest> requestOf,
                        ChatClient client, CallCapacity capacity, long maxWaitMillis, int maxQueued, long deadlineMillis) {
        this.stage = stage;
        this.store = store;
        this.requestOf = requestOf;
        this.client = client;
        this.capacity = capacity;
        this.maxWaitMillis = maxWaitMillis;
        this.maxQueued = maxQueued;
        this.deadlineMillis = deadlineMillis;
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
                settings.maxQueued(), settings.deadline().toMillis());
        calls.notSent = notSent;
        calls.now = context.currentSystemTimeMs();
        context.schedule(settings.forwardInterval(), PunctuationType.WALL_CLOCK_TIME, now -> {
            calls.now = now;
            calls.giveUpOverdue();
            calls.forwardCompleted(forward);
        });
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
                if (issued.containsKey(entry.key) || queuedKeys.contains(entry.key)) continue;
                enqueue(new Waiting<>(entry.key, entry.value, requestOf.apply(entry.value)));
                resumed++;
            }
        }
        issueQueued();
        if (resumed > 0) {
            capacity.stats().repeated(resumed);
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
            gaveUp.remove(done.key());
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

    /**
     * Waits for room in the queue out of this thread's allowance, forwarding completions meanwhile.
     * Returns when there is room or the allowance is spent.
     */
    private void awaitRoom(Consumer<Completed<V>> forward) {
        WaitAllowance allowance = WaitAllowance.of(maxWaitMillis);
        try {
            while (queuedKeys.size() >= maxQueued) {
                forwardCompleted(forward);
                if (queuedKeys.size() < maxQueued) return;
                long left = allowance.leftMillis();
                if (left <= 0) {
                    if (allowance.warnOnce()) {
                        log.warn("{}: {} calls queued and no capacity came free within this thread's {} ms wait allowance; "
                                + "queueing past the bound so the transaction stays short", stage, queuedKeys.size(), maxWaitMillis);
                    }
                    capacity.stats().countQueuedPastBound();
                    return;
                }
                long started = System.nanoTime();
                capacity.awaitRelease(Math.min(10, left));
                allowance.spend((System.nanoTime() - started) / 1_000_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Completes every sent call that has passed its deadline as a timeout, and gives up on its
     * future: the provider may still answer, but that answer is dropped. Scanned at most once a second.
     */
    void giveUpOverdue() {
        if (issued.isEmpty() || now - lastDeadlineScan < Math.min(1000, deadlineMillis)) return;
        lastDeadlineScan = now;
        for (var e : issued.entrySet()) {
            Sent sent = e.getValue();
            if (sent.sentAt() == Long.MIN_VALUE || now - sent.sentAt() < deadlineMillis || !gaveUp.add(e.getKey())) continue;
            V pending = store.get(e.getKey());
            if (pending == null) continue;
            long waited = now - sent.sentAt();
            completed.add(new Completed<>(e.getKey(), pending, ChatOutcome.failed(sent.model(), FailureKind.TIMEOUT, null,
                    "no answer within " + waited + " ms of the call being sent (deadline " + deadlineMillis
                            + " ms, fusion.join.deadline-ms)", waited)));
            sent.call().cancel(false); // stops its waiting and retries; an answer already on its way is dropped
        }
    }

    /** A 401, or a call not sent because its provider refused the key: no verdict on the request itself. */
    static boolean refusedKey(ChatOutcome outcome) {
        return outcome.failure() == FailureKind.UNAUTHORIZED || (outcome.failure() == FailureKind.FORBIDDEN && outcome.attempts() == 0);
    }

    /**
     * How long a stream thread may still wait for call capacity. Shared by every task and stage on
     * the thread, so their waits add up to one bound: at most {@code max} ms at once, regained at a
     * quarter of the wall time that passes. A poll loop's transaction therefore waits at most about
     * {@code max} ms whatever the providers do.
     */
    static final class WaitAllowance {
        private static final ThreadLocal<WaitAllowance> PER_THREAD = new ThreadLocal<>();
        private final long max;
        private double left;
        private long lastNanos = System.nanoTime();
        private boolean warned;

        private WaitAllowance(long max) {
            this.max = max;
            this.left = max;
        }

        static WaitAllowance of(long max) {
            WaitAllowance a = PER_THREAD.get();
            if (a == null || a.max != max) {
                a = new WaitAllowance(max);
                PER_THREAD.set(a);
            }
            return a;
        }

        long leftMillis() {
            long nowNanos = System.nanoTime();
            left = Math.min(max, left + (nowNanos - lastNanos) / 4_000_000.0);
            lastNanos = nowNanos;
            if (left >= max) warned = false;
            return (long) left;
        }

        void spend(long millis) {
            left -= millis;
        }

        boolean warnOnce() {
            if (warned) return false;
            warned = true;
            return true;
        }
    }

    private void issue(String key, V pending, ChatRequest request) {
        issued.put(key, new Sent(request.model(), Long.MIN_VALUE, null));
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
        CompletableFuture<ChatOutcome> call = CallOutcomes.safely(client, request);
        issued.put(key, new Sent(request.model(), now, call));
        call.whenComplete((outcome, error) -> {
            capacity.release(request.model());
            if (outcome == null && gaveUp.contains(key)) return; // we gave up on it at its deadline
            ChatOutcome result = budget.record(outcome != null ? outcome
                    : ChatOutcome.failed(request.model(), FailureKind.NETWORK_ERROR, null, "call failed: " + error, 0));
            if (closed || gaveUp.contains(key)) return; // too late: its timeout went out instead (its cost is counted above)
            if (refusedKey(result)) {
                // Not an answer about this request: its provider refused the key, and the run stops. The call stays
                // stored, so the next run with the key sends it, rather than writing a final error for the row.
                issued.remove(key);
                return;
            }
            completed.add(new Completed<>(key, pending, result));
        });
    }
}
