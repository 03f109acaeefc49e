package fusion.runtime;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.IntSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Where a run stands while results come in: a progress bar on a terminal (done/total, ok,
 * degraded and error counts, calls in flight, tokens, cost, ETA), or plain periodic lines when
 * there is no terminal (CI, a pipe, a log file).
 */
public interface RunProgress extends AutoCloseable {
    /** Called often; shows at most what {@code every} allows. @param total expected results, or -1 when unknown */
    void update(RunSummary.Tally tally, int total, long elapsedMillis);

    @Override
    void close();

    /** A bar when this process has a terminal and {@code out} is stderr, else lines every {@code every}. */
    static RunProgress open(String task, PrintStream out, Duration every, IntSupplier callsInFlight) {
        if (out == System.err && System.console() != null) return new Bar(task, out, callsInFlight);
        return lines(out, every, callsInFlight);
    }

    static RunProgress lines(PrintStream out, Duration every, IntSupplier callsInFlight) {
        return new Lines(out, every, callsInFlight);
    }

    private static String inFlight(IntSupplier callsInFlight) {
        return callsInFlight == null ? "" : ", " + callsInFlight.getAsInt() + " calls in flight";
    }

    final class Lines implements RunProgress {
        private final PrintStream out;
        private final long everyMillis;
        private final IntSupplier callsInFlight;
        private long last = System.currentTimeMillis();

        Lines(PrintStream out, Duration every, IntSupplier callsInFlight) {
            this.out = out;
            this.everyMillis = every.toMillis();
            this.callsInFlight = callsInFlight;
        }

        @Override
        public void update(RunSummary.Tally tally, int total, long elapsedMillis) {
            long now = System.currentTimeMillis();
            if (now - last < everyMillis) return;
            last = now;
            out.println(tally.progressLine(total, elapsedMillis) + inFlight(callsInFlight));
        }

        @Override
        public void close() {}
    }

    final class Bar implements RunProgress {
        private final ProgressBar bar;
        private final IntSupplier callsInFlight;

        Bar(String task, PrintStream out, IntSupplier callsInFlight) {
            this.callsInFlight = callsInFlight;
            this.bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(-1).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(out)).setUpdateIntervalMillis(500).showSpeed().build();
        }

        @Override
        public void update(RunSummary.Tally tally, int total, long elapsedMillis) {
            if (total >= 0 && bar.getMax() != total) bar.maxHint(total);
            bar.stepTo(tally.done());
            bar.setExtraMessage(tally.counts() + inFlight(callsInFlight));
        }

        @Override
        public void close() {
            bar.close();
        }
    }
}
