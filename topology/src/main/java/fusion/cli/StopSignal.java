package fusion.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * How a long-running command ({@code serve}, {@code collect --follow}) is stopped. Ctrl-C (SIGINT)
 * and SIGTERM ({@code docker stop}, {@code kill}) ask it to stop: it finishes its work cleanly and
 * exits 0. Left to the JVM, those signals start the shutdown at once and the process exits 130 or
 * 143 however cleanly it closed, which supervisors (Docker, systemd, Kubernetes) count as a failure.
 * A second signal stops the process at once. Any other shutdown (SIGHUP, {@code System.exit})
 * still waits, through a shutdown hook, until the command has cleaned up or the grace period is over.
 *
 * <p>{@code sun.misc.Signal} lives in the jdk.unsupported module, which JEP 260 keeps open for
 * exactly this; javac warns about it, and Kafka's own tools use it the same way.
 */
final class StopSignal {
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);

    private StopSignal() {}

    /** @param grace how long a JVM shutdown waits for the command to clean up */
    static StopSignal install(String command, Duration grace) {
        StopSignal stop = new StopSignal();
        for (String name : List.of("INT", "TERM")) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    if (stop.requested()) Runtime.getRuntime().halt(128 + signal.getNumber());
                    stop.requested.countDown();
                });
            } catch (IllegalArgumentException e) {
                // the JVM keeps this signal to itself (-Xrs): the shutdown hook below still lets the command clean up
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.requested.countDown();
            try {
                stop.finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "fusion-" + command + "-stop"));
        return stop;
    }

    /** Whether a stop was asked for. */
    boolean requested() {
        return requested.getCount() == 0;
    }

    /** Asks for a stop from inside the command (a provider refused its key). */
    void request() {
        requested.countDown();
    }

    /** Waits until a stop is asked for. */
    void await() throws InterruptedException {
        requested.await();
    }

    /** The command has cleaned up; a JVM shutdown in progress may go on. */
    void finished() {
        finished.countDown();
    }
}
