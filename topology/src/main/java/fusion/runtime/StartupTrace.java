package fusion.runtime;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * With {@code FUSION_TRACE_STARTUP=1} in the environment, a run says on stderr how long after the JVM's launch each
 * step of its start and its end was reached ("startup +3.10 s broker up"), and Kafka's own log file is kept at INFO,
 * so the seconds between two steps can be told apart (docs/BENCHMARKS.md, "Start-up and replay"). Off, it costs nothing.
 */
public final class StartupTrace {
    /** The environment variable that turns the trace on. */
    public static final String VARIABLE = "FUSION_TRACE_STARTUP";

    private static final boolean ON = on(System.getenv(VARIABLE));
    private static final Instant LAUNCHED = ON ? ProcessHandle.current().info().startInstant().orElse(Instant.now()) : null;
    private static final PrintStream OUT = System.err;

    private StartupTrace() {}

    static boolean on(String value) {
        return value != null && !value.isBlank() && !value.equals("0") && !value.equalsIgnoreCase("false");
    }

    public static boolean enabled() {
        return ON;
    }

    /** Notes that {@code step} was reached now. */
    public static void mark(String step) {
        if (!ON) return;
        double seconds = Duration.between(LAUNCHED, Instant.now()).toMillis() / 1000.0;
        OUT.printf(Locale.ROOT, "startup +%.2f s %s [%s]%n", seconds, step, Thread.currentThread().getName());
    }
}
