package fusion.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RateLimitInfoTest {
    private static final Instant NOW_INSTANT = Instant.parse("2025-05-15T12:00:00Z");
    private static final Clock NOW = Clock.fixed(NOW_INSTANT, ZoneOffset.UTC);

    private static HttpHeaders headers(Map<String, String> values) {
        Map<String, List<String>> multi = new HashMap<>();
        values.forEach((k, v) -> multi.put(k, List.of(v)));
        return HttpHeaders.of(multi, (k, v) -> true);
    }

    @Test
    @DisplayName("OpenAI durations: 1s, 6m0s, 20ms, 1h2m3.5s, 0s")
    void goDurations() {
        assertThat(RateLimitInfo.resetMillis("1s", NOW)).isEqualTo(1_000L);
        assertThat(RateLimitInfo.resetMillis("6m0s", NOW)).isEqualTo(360_000L);
        assertThat(RateLimitInfo.resetMillis("20ms", NOW)).isEqualTo(20L);
        assertThat(RateLimitInfo.resetMillis("1h2m3.5s", NOW)).isEqualTo(3_723_500L);
        assertThat(RateLimitInfo.resetMillis("0s", NOW)).isZero();
        assertThat(RateLimitInfo.resetMillis("1.5µs", NOW)).isEqualTo(1L); // rounded up: never wait too little
    }

    @Test
    @DisplayName("plain numbers: epoch milliseconds (OpenRouter), epoch seconds, or seconds from now")
    void plainNumbers() {
        assertThat(RateLimitInfo.resetMillis(Long.toString(NOW_INSTANT.toEpochMilli() + 2_500), NOW)).isEqualTo(2_500L);
        assertThat(RateLimitInfo.resetMillis(Long.toString(NOW_INSTANT.getEpochSecond() + 30), NOW)).isEqualTo(30_000L);
        assertThat(RateLimitInfo.resetMillis("30", NOW)).isEqualTo(30_000L);
        assertThat(RateLimitInfo.resetMillis("0.25", NOW)).isEqualTo(250L);
        assertThat(RateLimitInfo.resetMillis(Long.toString(NOW_INSTANT.toEpochMilli() - 5_000), NOW)).isZero(); // already past
    }

    @Test
    @DisplayName("an ISO-8601 instant or an HTTP-date → time until then; garbage → null")
    void datesAndGarbage() {
        assertThat(RateLimitInfo.resetMillis("2025-05-15T12:00:07Z", NOW)).isEqualTo(7_000L);
        assertThat(RateLimitInfo.resetMillis("Thu, 15 May 2025 12:01:00 GMT", NOW)).isEqualTo(60_000L);
        assertThat(RateLimitInfo.resetMillis("soon", NOW)).isNull();
        assertThat(RateLimitInfo.resetMillis("5 s", NOW)).isNull();
        assertThat(RateLimitInfo.resetMillis("", NOW)).isNull();
    }

    @Test
    @DisplayName("OpenAI's four headers are read; exhausted flags follow remaining = 0")
    void openAiHeaders() {
        RateLimitInfo info = RateLimitInfo.from(headers(Map.of(
                "x-ratelimit-remaining-requests", "0",
                "x-ratelimit-remaining-tokens", "149984",
                "x-ratelimit-reset-requests", "1s",
                "x-ratelimit-reset-tokens", "6m0s")), NOW);

        assertThat(info).isEqualTo(new RateLimitInfo(0L, 149_984L, 1_000L, 360_000L));
        assertThat(info.requestsExhausted()).isTrue();
        assertThat(info.tokensExhausted()).isFalse();
    }

    @Test
    @DisplayName("OpenRouter's unsuffixed X-RateLimit-Remaining / X-RateLimit-Reset count as the request limit")
    void unsuffixedHeaders() {
        RateLimitInfo info = RateLimitInfo.from(headers(Map.of(
                "X-RateLimit-Remaining", "0",
                "X-RateLimit-Reset", Long.toString(NOW_INSTANT.toEpochMilli() + 4_000))), NOW);

        assertThat(info).isEqualTo(new RateLimitInfo(0L, null, 4_000L, null));
    }

    @Test
    @DisplayName("no rate-limit headers → null")
    void none() {
        assertThat(RateLimitInfo.from(headers(Map.of("content-type", "application/json")), NOW)).isNull();
    }

    @Test
    @DisplayName("OpenAiChatClient puts the headers on the outcome, for answers and for failures")
    void onOutcomes() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.start();
            server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                    .setHeader("x-ratelimit-remaining-requests", "59").setHeader("x-ratelimit-reset-requests", "20ms")
                    .body("{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"hi\"}}]}").build());
            server.enqueue(new MockResponse.Builder().code(429).setHeader("x-ratelimit-remaining-tokens", "0")
                    .setHeader("x-ratelimit-reset-tokens", "2s").body("slow down").build());
            server.enqueue(new MockResponse.Builder().code(500).body("oops").build());
            try (OpenAiChatClient client = new OpenAiChatClient(ProviderRoutes.single("p", server.url("/v1").toString(), null), Duration.ofSeconds(5))) {
                ChatRequest request = ChatRequest.of("m", List.of(ChatMessage.user("hi")));

                ChatOutcome answer = client.complete(request).get(10, TimeUnit.SECONDS);
                ChatOutcome limited = client.complete(request).get(10, TimeUnit.SECONDS);
                ChatOutcome plain = client.complete(request).get(10, TimeUnit.SECONDS);

                assertThat(answer.rateLimit()).isEqualTo(new RateLimitInfo(59L, null, 20L, null));
                assertThat(limited.failure()).isEqualTo(FailureKind.RATE_LIMITED);
                assertThat(limited.rateLimit()).isEqualTo(new RateLimitInfo(null, 0L, null, 2_000L));
                assertThat(plain.rateLimit()).isNull();
            }
        }
    }
}
