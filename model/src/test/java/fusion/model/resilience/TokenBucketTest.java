package fusion.model.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The bucket on a hand-moved clock: no real time passes. */
class TokenBucketTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    @DisplayName("a full bucket holds one second's share: 600/min lets 10 go at once, the 11th waits 100 ms")
    void secondsShare() {
        TokenBucket bucket = new TokenBucket(600, 0);
        for (int i = 0; i < 10; i++) {
            assertThat(bucket.nanosUntil(1, 0)).isZero();
            bucket.take(1, 0);
        }
        assertThat(bucket.nanosUntil(1, 0)).isEqualTo(100 * MS);
        assertThat(bucket.nanosUntil(1, 100 * MS)).isZero();
    }

    @Test
    @DisplayName("it refills at the per-minute rate, never above full")
    void refill() {
        TokenBucket bucket = new TokenBucket(60_000, 0); // 1000 a second, 1 a millisecond
        bucket.take(1_000, 0);
        assertThat(bucket.balance(250 * MS)).isEqualTo(250, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(bucket.balance(60_000 * MS)).isEqualTo(1_000);
    }

    @Test
    @DisplayName("a call larger than the bucket goes once it is full and leaves debt, so the average rate holds")
    void oversizedCall() {
        TokenBucket bucket = new TokenBucket(60_000, 0);
        assertThat(bucket.nanosUntil(5_000, 0)).isZero();
        bucket.take(5_000, 0);
        // 4000 in debt: the next call of any size waits until a full second's share is back, 5 s
        assertThat(bucket.nanosUntil(10, 0)).isEqualTo(4_010 * MS);
        assertThat(bucket.nanosUntil(5_000, 0)).isEqualTo(5_000 * MS);
    }

    @Test
    @DisplayName("adjust gives back what an estimate overshot, up to full, or takes what it undershot")
    void adjust() {
        TokenBucket bucket = new TokenBucket(60_000, 0);
        bucket.take(900, 0);
        bucket.adjust(800, 0);
        assertThat(bucket.balance(0)).isEqualTo(900);
        bucket.adjust(10_000, 0);
        assertThat(bucket.balance(0)).isEqualTo(1_000);
        bucket.adjust(-1_500, 0);
        assertThat(bucket.balance(0)).isEqualTo(-500);
    }
}
