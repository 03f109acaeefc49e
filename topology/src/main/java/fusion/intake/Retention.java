package fusion.intake;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Forgets a store's entries once they are older than the retention, so stores that remember every
 * id they saw stay bounded. It scans the whole store, so it runs only every hundredth of the
 * retention (and at most once a minute).
 */
public final class Retention<V> {
    private final KeyValueStore<String, V> store;
    private final Duration retention;
    private final ToLongFunction<V> storedAt;
    private long lastScan;

    /** @param storedAt when an entry was stored, epoch millis; 0 for an entry of unknown age, which is kept */
    public Retention(KeyValueStore<String, V> store, Duration retention, ToLongFunction<V> storedAt, long now) {
        this.store = store;
        this.retention = retention;
        this.storedAt = storedAt;
        this.lastScan = now;
    }

    /** How often the owner should call {@link #forgetOld}. */
    public static Duration scanInterval(Duration retention) {
        return Duration.ofMillis(Math.max(60_000, retention.toMillis() / 100));
    }

    /** Deletes what is older than the retention; returns how many. */
    public int forgetOld(long now) {
        lastScan = now;
        long cutoff = now - retention.toMillis();
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, V> e = it.next();
                long at = storedAt.applyAsLong(e.value);
                if (at > 0 && at < cutoff) old.add(e.key);
            }
        }
        old.forEach(store::delete);
        return old.size();
    }
}
