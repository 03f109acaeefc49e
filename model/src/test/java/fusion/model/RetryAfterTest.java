package fusion.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    private static final Clock NOW = Clock.fixed(Instant.parse("2025-05-15T12:00:00Z"), ZoneOffset.UTC);

    private static HttpHeaders headers(Map<String, String> values) {
        Map<String, List<String>> multi = new HashMap<>();
        values.forEach((k, v) -> multi.put(k, List.of(v)));
        return HttpHeaders.of(multi, (k, v) -> true);
    }

    @Test
    @DisplayName("seconds, whole or fractional → milliseconds")
    void seconds() {
        assertThat(RetryAfter.parse("30", NOW)).isEqualTo(30_000L);
        assertThat(RetryAfter.parse(" 1.5 ", NOW)).isEqualTo(1_500L);
        assertThat(RetryAfter.parse("0", NOW)).isZero();
    }

    @Test
    @DisplayName("HTTP-date → milliseconds until then; a past date → 0")
    void httpDate() {
        assertThat(RetryAfter.parse("Thu, 15 May 2025 12:01:30 GMT", NOW)).isEqualTo(90_000L);
        assertThat(RetryAfter.parse("Thu, 15 May 2025 11:00:00 GMT", NOW)).isZero();
    }

    @Test
    @DisplayName("unreadable or missing → null")
    void unreadable() {
        assertThat(RetryAfter.parse("soon", NOW)).isNull();
        assertThat(RetryAfter.parse("", NOW)).isNull();
        assertThat(RetryAfter.millis(headers(Map.of()), NOW)).isNull();
    }

    @Test
    @DisplayName("retry-after-ms (OpenAI) wins over Retry-After")
    void millisHeaderFirst() {
        assertThat(RetryAfter.millis(headers(Map.of("retry-after-ms", "250", "retry-after", "1")), NOW)).isEqualTo(250L);
        assertThat(RetryAfter.millis(headers(Map.of("Retry-After", "2")), NOW)).isEqualTo(2_000L);
    }
}
