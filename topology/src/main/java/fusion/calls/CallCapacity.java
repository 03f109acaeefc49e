package fusion.calls;

import java.util.HashMap;
import java.util.Map;

/**
 * Bounds the model calls in flight in this instance, in all and per model. Shared by every task
 * and stage of the instance, so the bound holds however partitions are spread over threads.
 */
public final class CallCapacity {
    private final int maxInFlight;
    private final int maxInFlightPerModel;
    private final Map<String, Integer> perModel = new HashMap<>();
    private int total;

    public CallCapacity(int maxInFlight, int maxInFlightPerModel) {
        if (maxInFlight < 1 || maxInFlightPerModel < 1) {
            throw new IllegalArgumentException("in-flight limits must be at least 1, got " + maxInFlight + " and " + maxInFlightPerModel);
        }
        this.maxInFlight = maxInFlight;
        this.maxInFlightPerModel = maxInFlightPerModel;
    }

    /** Takes a slot for {@code model}, waiting up to {@code waitMillis}; false when none came free. */
    public synchronized boolean tryAcquire(String model, long waitMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + waitMillis;
        while (!hasRoom(model)) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) return false;
            wait(left);
        }
        take(model);
        return true;
    }

    /** Takes a slot even past the bound: for calls re-issued after a restart, which were already counted once. */
    public synchronized void acquireRegardless(String model) {
        take(model);
    }

    public synchronized void release(String model) {
        total--;
        perModel.merge(model, -1, (a, b) -> a + b == 0 ? null : a + b);
        notifyAll();
    }

    public synchronized int inFlight() {
        return total;
    }

    public synchronized int inFlight(String model) {
        return perModel.getOrDefault(model, 0);
    }

    private boolean hasRoom(String model) {
        return total < maxInFlight && perModel.getOrDefault(model, 0) < maxInFlightPerModel;
    }

    private void take(String model) {
        total++;
        perModel.merge(model, 1, Integer::sum);
    }
}
