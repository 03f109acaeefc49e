package fusion.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps a global store in step with its compacted topic: a record puts, a tombstone deletes. With a
 * retention, entries it calls expired are purged as updates come (a global processor has no
 * punctuator), every hundredth of the retention at most, so the store stays bounded.
 */
final class GlobalStoreUpdater<V> implements Processor<String, V, Void, Void> {
    private final String storeName;
    private final BiPredicate<V, Long> expired;
    private final long purgeEveryMillis;
    private KeyValueStore<String, V> store;
    private ProcessorContext<Void, Void> context;
    private long lastPurge;

    GlobalStoreUpdater(String storeName) {
        this(storeName, null, null);
    }

    /** @param expired (value, now) → whether the entry is past its retention */
    GlobalStoreUpdater(String storeName, BiPredicate<V, Long> expired, Duration retention) {
        this.storeName = storeName;
        this.expired = expired;
        this.purgeEveryMillis = retention == null ? Long.MAX_VALUE : Math.max(60_000, retention.toMillis() / 100);
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        store = context.getStateStore(storeName);
        lastPurge = context.currentSystemTimeMs();
    }

    @Override
    public void process(Record<String, V> record) {
        if (record.key() == null) return;
        if (record.value() == null) store.delete(record.key());
        else store.put(record.key(), record.value());
        long now = context.currentSystemTimeMs();
        if (expired != null && now - lastPurge >= purgeEveryMillis) {
            lastPurge = now;
            purge(now);
        }
    }

    private void purge(long now) {
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store.all()) {
            while (it.hasNext()) {
                var e = it.next();
                if (expired.test(e.value, now)) old.add(e.key);
            }
        }
        old.forEach(store::delete);
    }
}
