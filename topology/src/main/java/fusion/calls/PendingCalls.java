package fusion.calls;

import fusion.model.ChatClient;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.FailureKind;
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
 */
public final class PendingCalls<V> {
    private static final Logger log = LoggerFactory.getLogger(PendingCalls.class);

    /** A finished call, waiting for the stream thread. */
    public record Completed<V>(String key, V pending, ChatOutcome outcome) {}

    private final String stage;
    private final KeyValueStore<String, V> store;
    private final Function<V, ChatRequest> requestOf;
    private final ChatClient client;
    private final CallCapacity capacity;
    private final long maxWaitMillis;
    private final Queue<Completed<V>> completed = new ConcurrentLinkedQueue<>();
    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param maxWaitMillis how long {@link #start} may wait for capacity; kept well under
     *     max.poll.interval.ms, past it the call starts anyway so the thread never stalls out of its group
     */
    public PendingCalls(String stage, KeyValueStore<String, V> store, Function<V, ChatRequest> requestOf,
                        ChatClient client, CallCapacity capacity, long maxWaitMillis) {
        this.stage = stage;
        this.store = store;
        this.requestOf = requestOf;
        this.client = client;
        this.capacity = capacity;
        this.maxWaitMillis = maxWaitMillis;
    }

    /**
     * The calls of one stage's processor: opens its store, forwards completions on a wall-clock
     * punctuator (so they go out even when no record arrives) and issues again what a previous owner left pending.
     */
    public static <V> PendingCalls<V> attach(ProcessorContext<?, ?> context, String storeName, String stage,
                                             Function<V, ChatRequest> requestOf, ChatClient client, CallCapacity capacity,
                                             CallSettings settings, Consumer<Completed<V>> forward) {
        KeyValueStore<String, V> store = context.getStateStore(storeName);
        PendingCalls<V> calls = new PendingCalls<>(stage, store, requestOf, client, capacity, settings.maxCapacityWaitMillis());
        context.schedule(settings.forwardInterval(), PunctuationType.WALL_CLOCK_TIME, now -> calls.forwardCompleted(forward));
        calls.resumeAll();
        return calls;
    }

    /**
     * Records the call and starts it. While in-flight limits are reached, waits for capacity and
     * forwards what completes meanwhile. Returns false when this key is already pending.
     */
    public boolean start(String key, V pending, Consumer<Completed<V>> forward) {
        if (store.get(key) != null) {
            return false;
        }
        store.put(key, pending);
        ChatRequest request = requestOf.apply(pending);
        awaitCapacity(request.model(), forward);
        issue(key, pending, request);
        return true;
    }

    /** Issues every call in the store that this instance has not started: after a restart or rebalance. */
    public int resumeAll() {
        int resumed = 0;
        try (KeyValueIterator<String, V> it = store.all()) {
            while (it.hasNext()) {
                var entry = it.next();
                if (issued.contains(entry.key)) continue;
                ChatRequest request = requestOf.apply(entry.value);
                capacity.acquireRegardless(request.model());
                issue(entry.key, entry.value, request);
                resumed++;
            }
        }
        if (resumed > 0) {
            log.info("{}: issued {} pending calls again after restart or rebalance", stage, resumed);
        }
        return resumed;
    }

    /** Forwards every completed call and deletes it from the store. Runs on the stream thread. */
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
        return forwarded;
    }

    /** Calls started by this instance and not yet forwarded. */
    public int outstanding() {
        return issued.size();
    }

    /**
     * Stops taking completions: the task moved or closed. Its calls stay in the store and are
     * issued again by the next owner; late completions here are dropped.
     */
    public void close() {
        closed = true;
        completed.clear();
    }

    private void awaitCapacity(String model, Consumer<Completed<V>> forward) {
        long deadline = System.currentTimeMillis() + maxWaitMillis;
        try {
            while (!capacity.tryAcquire(model, 10)) {
                forwardCompleted(forward);
                if (System.currentTimeMillis() >= deadline) {
                    log.warn("{}: no call capacity for {} within {} ms; starting the call past the bound", stage, model, maxWaitMillis);
                    capacity.acquireRegardless(model);
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            capacity.acquireRegardless(model);
        }
    }

    private void issue(String key, V pending, ChatRequest request) {
        issued.add(key);
        CallOutcomes.safely(client, request).whenComplete((outcome, error) -> {
            capacity.release(request.model());
            if (closed) return;
            ChatOutcome result = outcome != null ? outcome
                    : ChatOutcome.failed(request.model(), FailureKind.NETWORK_ERROR, null, "call failed: " + error, 0);
            completed.add(new Completed<>(key, pending, result));
        });
    }
}
