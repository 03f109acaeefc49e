package fusion.runtime;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.IntSupplier;

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
        if (out == System.err && System.console() != null) return new Bar(out, callsInFlight);
        return lines(out, every, callsInFlight);
    }

    static RunProgress lines(PrintStream out, Duration every, IntSupplier callsInFlight) {
        return new Lines(out, every, callsInFlight);
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
            // a log has no width to keep to: every field, in its long form
            out.println(ProgressLine.of(tally, total, callsInFlight == null ? -1 : callsInFlight.getAsInt(), elapsedMillis).full());
        }

        @Override
        public void close() {}
    }

    /**
     * One line, redrawn in place, that fits the terminal's width as it is now (a resized window is followed within
     * seconds). Its fields are {@link ProgressLine}'s.
     */
    final class Bar implements RunProgress {
        private static final long REDRAW_MILLIS = 250;
        private static final long WIDTH_MILLIS = 2000;
        private final PrintStream out;
        private final IntSupplier callsInFlight;
        private long lastDraw;
        private int width = -1;
        private long widthAt;
        private RunSummary.Tally tally;
        private int total;
        private long elapsedMillis;

        Bar(PrintStream out, IntSupplier callsInFlight) {
            this.out = out;
            this.callsInFlight = callsInFlight;
        }

        @Override
        public void update(RunSummary.Tally tally, int total, long elapsedMillis) {
            this.tally = tally;
            this.total = total;
            this.elapsedMillis = elapsedMillis;
            long now = System.currentTimeMillis();
            if (now - lastDraw < REDRAW_MILLIS) return;
            lastDraw = now;
            draw();
        }

        private void draw() {
            if (tally == null) return;
            int inFlight = callsInFlight == null ? -1 : callsInFlight.getAsInt();
            // \r back to the line's start, then clear what a longer earlier line left
            out.print("\r" + ProgressLine.of(tally, total, inFlight, elapsedMillis).fit(width()) + "\033[K");
            out.flush();
        }

        private int width() {
            long now = System.currentTimeMillis();
            if (width < 0 || now - widthAt > WIDTH_MILLIS) {
                width = TerminalWidth.now();
                widthAt = now;
            }
            return width;
        }

        @Override
        public void close() {
            draw();
            out.println();
        }
    }
}
