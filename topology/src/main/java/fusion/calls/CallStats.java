package fusion.calls;

import java.util.concurrent.atomic.LongAdder;

/**
 * What this instance's call stages did that no result records: calls issued again after a crash or
 * rebalance (paid twice when the first try had reached the provider), and calls queued past the
 * admission bound because the stream thread had used up its wait allowance.
 */
public final class CallStats {
    private final LongAdder repeated = new LongAdder();
    private final LongAdder pastBound = new LongAdder();

    void repeated(int calls) {
        repeated.add(calls);
    }

    void countQueuedPastBound() {
        pastBound.increment();
    }

    /** Calls issued again because an earlier owner of their task stopped before their answer was committed. */
    public long repeatedAfterRestart() {
        return repeated.sum();
    }

    /** Times a call was queued past {@code fusion.calls.max-queued} rather than holding the stream thread longer. */
    public long queuedPastBound() {
        return pastBound.sum();
    }
}
