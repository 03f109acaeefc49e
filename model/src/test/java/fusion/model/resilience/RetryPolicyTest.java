package fusion.model.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(6, 100, 1_000, 60_000);

    @Test
    @DisplayName("backoff is full jitter: random · min(max-backoff, base · 2^(attempt-1))")
    void fullJitter() {
        assertThat(policy.delayMillis(1, 0.5, null)).isEqualTo(50);   // ceiling 100
        assertThat(policy.delayMillis(2, 0.5, null)).isEqualTo(100);  // ceiling 200
        assertThat(policy.delayMillis(3, 0.99, null)).isEqualTo(396); // ceiling 400
        assertThat(policy.delayMillis(5, 0.99, null)).isEqualTo(990); // 1600 capped at 1000
        assertThat(policy.delayMillis(60, 0.99, null)).isEqualTo(990); // no overflow far out
    }

    @Test
    @DisplayName("jitter can draw anything down to zero")
    void jitterDownToZero() {
        assertThat(policy.delayMillis(4, 0.0, null)).isZero();
    }

    @Test
    @DisplayName("never less than the provider's Retry-After, even past max-backoff")
    void retryAfterIsAFloor() {
        assertThat(policy.delayMillis(1, 0.0, 700L)).isEqualTo(700);
        assertThat(policy.delayMillis(1, 0.5, 5_000L)).isEqualTo(5_000);
        assertThat(policy.delayMillis(5, 0.99, 10L)).isEqualTo(990);
    }

    @Test
    @DisplayName("defaults: up to 100 attempts, 500 ms base, 30 s cap, 10 min patience; none() makes one attempt and waits for nothing")
    void defaults() {
        assertThat(RetryPolicy.DEFAULT).isEqualTo(new RetryPolicy(100, 500, 30_000, 600_000));
        assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
        assertThat(RetryPolicy.none().patienceMillis()).isZero();
    }

    @Test
    @DisplayName("zero attempts or negative delays are refused")
    void invalid() {
        assertThatThrownBy(() -> new RetryPolicy(0, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(1, -1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
