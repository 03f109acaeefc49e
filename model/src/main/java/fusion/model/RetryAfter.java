package fusion.model;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reads how long a provider asked us to wait: {@code retry-after-ms} (OpenAI), else {@code Retry-After} in seconds or as an HTTP-date. */
final class RetryAfter {
    private RetryAfter() {}

    /** Milliseconds to wait, or null when the response names no (valid) delay. */
    static Long millis(HttpHeaders headers, Clock clock) {
        Long ms = headers.firstValue("retry-after-ms").map(RetryAfter::parseMillis).orElse(null);
        if (ms != null) return ms;
        return headers.firstValue("retry-after").map(v -> parse(v, clock)).orElse(null);
    }

    static Long parse(String value, Clock clock) {
        String v = value.strip();
        if (v.isEmpty()) return null;
        if (Character.isDigit(v.charAt(0))) {
            try {
                return Math.max(0, Math.round(Double.parseDouble(v) * 1000));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
            return Math.max(0, Duration.between(clock.instant(), at.toInstant()).toMillis());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Long parseMillis(String value) {
        try {
            return Optional.of(Math.round(Double.parseDouble(value.strip()))).filter(ms -> ms >= 0).orElse(null);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
