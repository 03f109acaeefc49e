package fusion.model.batch;

import java.time.Duration;

/**
 * How often to poll one batch: the first poll after {@code first}, then each wait {@code factor} times the last, up to
 * {@code max}. Batches take minutes to hours, so polling every second only spends rate limit.
 */
public record PollSchedule(Duration first, Duration max, double factor) {
    /**
     * OpenRouter's quickstart polls the batch in a loop without naming an interval; ten seconds, doubling to five minutes,
     * is our choice (an assumption, see docs/BATCH.md).
     */
    public static final PollSchedule OPENROUTER = new PollSchedule(Duration.ofSeconds(10), Duration.ofMinutes(5), 2.0);
    /** OpenAI's batch guide: most batches finish well inside the 24 h window; it names no interval either. */
    public static final PollSchedule OPENAI = new PollSchedule(Duration.ofSeconds(30), Duration.ofMinutes(10), 2.0);
    /** Anthropic's guide polls every 60 seconds in its examples. */
    public static final PollSchedule ANTHROPIC = new PollSchedule(Duration.ofSeconds(60), Duration.ofMinutes(10), 1.5);

    public PollSchedule {
        if (first.isNegative() || max.compareTo(first) < 0) throw new IllegalArgumentException("need 0 <= first <= max: " + first + ", " + max);
        if (!(factor >= 1.0)) throw new IllegalArgumentException("factor must be at least 1: " + factor);
    }

    /** The same wait before every poll, e.g. a short one against the simulator ({@code fusion.batch.poll-ms}). */
    public static PollSchedule fixed(Duration every) {
        return new PollSchedule(every, every, 1.0);
    }

    /** The wait before poll number {@code polls + 1}, {@code polls} having been made (0 for the first poll after submission). */
    public Duration delayBefore(int polls) {
        double ms = first.toMillis() * Math.pow(factor, Math.max(0, polls));
        return ms >= max.toMillis() ? max : Duration.ofMillis(Math.round(ms));
    }
}
