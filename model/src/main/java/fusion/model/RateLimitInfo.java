package fusion.model;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a response's rate-limit headers said, so a caller can slow the whole provider down before
 * it answers 429. Read from OpenAI's {@code x-ratelimit-remaining-requests},
 * {@code x-ratelimit-remaining-tokens}, {@code x-ratelimit-reset-requests} and
 * {@code x-ratelimit-reset-tokens}; the unsuffixed {@code x-ratelimit-remaining} and
 * {@code x-ratelimit-reset} (OpenRouter and others) count as the request limit.
 *
 * @param remainingRequests   requests left in the current window, or null when not sent
 * @param remainingTokens     tokens left in the current window, or null when not sent
 * @param resetRequestsMillis how long after the response the request window resets, or null
 * @param resetTokensMillis   how long after the response the token window resets, or null
 */
public record RateLimitInfo(Long remainingRequests, Long remainingTokens, Long resetRequestsMillis, Long resetTokensMillis) {

    /** Plain numbers at least this large are epoch times (seconds, milliseconds), not delays: 10^9 s is 2001, while no reset is 30 years away. */
    private static final double EPOCH_SECONDS_FLOOR = 1e9;
    private static final double EPOCH_MILLIS_FLOOR = 1e12;
    private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|us|µs|ns|h|m|s)");
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:\\.\\d+)?");

    /** Whether the provider said no requests are left in this window. */
    public boolean requestsExhausted() {
        return remainingRequests != null && remainingRequests <= 0;
    }

    /** Whether the provider said no tokens are left in this window. */
    public boolean tokensExhausted() {
        return remainingTokens != null && remainingTokens <= 0;
    }

    /** The rate-limit headers of a response, or null when it sent none that could be read. */
    static RateLimitInfo from(HttpHeaders headers, Clock clock) {
        Long remainingRequests = count(first(headers, "x-ratelimit-remaining-requests", "x-ratelimit-remaining"));
        Long remainingTokens = count(first(headers, "x-ratelimit-remaining-tokens"));
        Long resetRequests = first(headers, "x-ratelimit-reset-requests", "x-ratelimit-reset").map(v -> resetMillis(v, clock)).orElse(null);
        Long resetTokens = first(headers, "x-ratelimit-reset-tokens").map(v -> resetMillis(v, clock)).orElse(null);
        if (remainingRequests == null && remainingTokens == null && resetRequests == null && resetTokens == null) return null;
        return new RateLimitInfo(remainingRequests, remainingTokens, resetRequests, resetTokens);
    }

    /**
     * Milliseconds until a window resets, or null when the value cannot be read. Accepts OpenAI's
     * Go-style durations ({@code 1s}, {@code 6m0s}, {@code 20ms}, {@code 1h2m3.5s}); plain numbers,
     * taken as epoch milliseconds when at least 10^12, epoch seconds when at least 10^9, else a delay
     * in seconds; an ISO-8601 instant; or an HTTP-date. A time already past gives 0.
     */
    static Long resetMillis(String value, Clock clock) {
        String v = value.strip();
        if (v.isEmpty()) return null;
        if (NUMBER.matcher(v).matches()) {
            double n = Double.parseDouble(v);
            if (n >= EPOCH_MILLIS_FLOOR) return Math.max(0, Math.round(n) - clock.millis());
            if (n >= EPOCH_SECONDS_FLOOR) return Math.max(0, Math.round(n * 1000) - clock.millis());
            return Math.round(n * 1000);
        }
        Long go = goDurationMillis(v);
        if (go != null) return go;
        try {
            return Math.max(0, Instant.parse(v).toEpochMilli() - clock.millis());
        } catch (DateTimeParseException e) {
            return RetryAfter.parse(v, clock); // HTTP-date, or null
        }
    }

    /** A Go {@code time.Duration} string as milliseconds (rounded up, so a wait is never cut short), or null. */
    static Long goDurationMillis(String v) {
        Matcher m = GO_DURATION_PART.matcher(v);
        int at = 0;
        double millis = 0;
        while (at < v.length()) {
            if (!m.find(at) || m.start() != at) return null;
            double n = Double.parseDouble(m.group(1));
            millis += switch (m.group(2)) {
                case "h" -> n * 3_600_000;
                case "m" -> n * 60_000;
                case "s" -> n * 1_000;
                case "ms" -> n;
                case "us", "µs" -> n / 1_000;
                default -> n / 1_000_000; // ns
            };
            at = m.end();
        }
        return at == 0 ? null : (long) Math.ceil(millis);
    }

    private static Optional<String> first(HttpHeaders headers, String... names) {
        for (String name : names) {
            Optional<String> v = headers.firstValue(name).filter(s -> !s.isBlank());
            if (v.isPresent()) return v;
        }
        return Optional.empty();
    }

    private static Long count(Optional<String> value) {
        return value.map(v -> {
            try {
                return Math.max(0, (long) Math.floor(Double.parseDouble(v.strip())));
            } catch (NumberFormatException e) {
                return null;
            }
        }).orElse(null);
    }
}
