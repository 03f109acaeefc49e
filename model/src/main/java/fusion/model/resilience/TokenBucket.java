package fusion.model.resilience;

/**
 * A per-minute rate as a token bucket holding one second's share. A call larger than the bucket
 * may start once the bucket is full and leaves it in debt, so big calls are never starved and the
 * average rate still holds. Not thread-safe: {@link ProviderThrottle} guards it.
 */
final class TokenBucket {
    private static final double NANOS_PER_MINUTE = 60e9;

    private final double capacity;
    private final double perNano;
    private double balance;
    private long updatedAt;

    TokenBucket(long perMinute, long nowNanos) {
        if (perMinute <= 0) throw new IllegalArgumentException("perMinute must be positive: " + perMinute);
        this.capacity = Math.max(1, perMinute / 60.0);
        this.perNano = perMinute / NANOS_PER_MINUTE;
        this.balance = capacity;
        this.updatedAt = nowNanos;
    }

    /** Nanoseconds until {@code amount} may be taken; 0 when it may be taken now. */
    long nanosUntil(long amount, long nowNanos) {
        refill(nowNanos);
        double needed = Math.min(amount, capacity) - balance;
        return needed <= 0 ? 0 : (long) Math.ceil(needed / perNano);
    }

    void take(long amount, long nowNanos) {
        refill(nowNanos);
        balance -= amount;
    }

    /** Gives back (or, when negative, takes more of) what an estimate got wrong; never above a full bucket. */
    void adjust(long amount, long nowNanos) {
        refill(nowNanos);
        balance = Math.min(capacity, balance + amount);
    }

    double balance(long nowNanos) {
        refill(nowNanos);
        return balance;
    }

    double capacity() {
        return capacity;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - updatedAt;
        if (elapsed > 0) {
            balance = Math.min(capacity, balance + elapsed * perNano);
            updatedAt = nowNanos;
        }
    }
}
