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
    private CallBudget budget = CallBudget.unlimited();
    private final CallStats stats = new CallStats();

    public CallCapacity(int maxInFlight, int maxInFlightPerModel) {
        if (maxInFlight < 1 || maxInFlightPerModel < 1) {
            throw new IllegalArgumentException("in-flight limits must be at least 1, got " + maxInFlight + " and " + maxInFlightPerModel);
        }
        this.maxInFlight = maxInFlight;
        this.maxInFlightPerModel = maxInFlightPerModel;
    }

    /** Also stops new calls once {@code budget} is spent. */
    public CallCapacity withBudget(CallBudget budget) {
        this.budget = budget;
        return this;
    }

    public CallBudget budget() {
        return budget;
    }

    public CallStats stats() {
        return stats;
    }

    /** Takes a slot for {@code model} when there is room; false at once when there is none. */
    public synchronized boolean tryAcquire(String model) {
        if (!hasRoom(model)) return false;
        take(model);
        return true;
    }

    /** Waits until some call releases its slot, or {@code millis} pass. */
    public synchronized void awaitRelease(long millis) throws InterruptedException {
        wait(millis);
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
