package fusion.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The load: keeps at most {@code window} requests outstanding and records, per request, the time
 * from submission to result and that time less the ideal. A result seen twice is counted once
 * (and reported as a duplicate, which the pipeline must never produce).
 */
final class ClosedLoop {
    private final Semaphore window;
    private final long[] sentNanos;
    private final long[] sentWallMs;
    private final long[] latencyMs;
    private final long[] overheadMs;
    private final AtomicIntegerArray seen;
    private final CountDownLatch done;
    private volatile int duplicates;

    private final java.util.function.IntToLongFunction ideal;

    /** @param ideal a request's ideal time in ms, known once its calls are done */
    ClosedLoop(int requests, int window, java.util.function.IntToLongFunction ideal) {
        this.ideal = ideal;
        this.window = window > 0 ? new Semaphore(window) : null;
        this.sentNanos = new long[requests];
        this.sentWallMs = new long[requests];
        this.latencyMs = new long[requests];
        this.overheadMs = new long[requests];
        this.seen = new AtomicIntegerArray(requests);
        this.done = new CountDownLatch(requests);
    }

    /** Waits for room in the window, then marks request {@code i} as sent now. */
    void send(int i) throws InterruptedException {
        if (window != null) window.acquire();
        sentNanos[i] = System.nanoTime();
        sentWallMs[i] = System.currentTimeMillis();
    }

    void completed(int i) {
        if (!seen.compareAndSet(i, 0, 1)) {
            duplicates++;
            return;
        }
        long latency = (System.nanoTime() - sentNanos[i]) / 1_000_000;
        latencyMs[i] = latency;
        overheadMs[i] = latency - ideal.applyAsLong(i);
        if (window != null) window.release();
        done.countDown();
    }

    /** Wall-clock time request {@code i} was sent, to compare with the pipeline's own timestamps. */
    long sentAt(int i) {
        return sentWallMs[i];
    }

    boolean await(Duration patience) throws InterruptedException {
        return done.await(patience.toMillis(), TimeUnit.MILLISECONDS);
    }

    long remaining() {
        return done.getCount();
    }

    int duplicates() {
        return duplicates;
    }

    /** Latencies of the requests that finished. */
    long[] latencies() {
        return finished(latencyMs);
    }

    long[] overheads() {
        return finished(overheadMs);
    }

    private long[] finished(long[] values) {
        return java.util.stream.IntStream.range(0, values.length).filter(i -> seen.get(i) == 1).mapToLong(i -> values[i]).toArray();
    }

    static int index(String requestId) {
        return Integer.parseInt(requestId.substring(requestId.lastIndexOf('-') + 1));
    }
}
