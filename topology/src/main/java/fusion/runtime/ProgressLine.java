package fusion.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The progress line of a run, made to fit a terminal's width: done/total, ok / without analysis / errors, calls in
 * flight, retries, cost, rate and ETA. Each field has a long and a short form; the longest forms that fit are used, a
 * bar takes what room is left, and at a width too narrow for every field the least needed ones go first (rate, then
 * retries), so done/total, calls in flight and cost stay.
 *
 * @param inFlight calls in flight now, or -1 when this process does not make the calls (collect)
 * @param total    results expected, or -1 when not known
 */
record ProgressLine(int done, int total, int ok, int withoutAnalysis, int errors, int inFlight, long retries, double cost,
                    long elapsedMillis) {

    static ProgressLine of(RunSummary.Tally tally, int total, int inFlight, long elapsedMillis) {
        return new ProgressLine(tally.done(), total, tally.ok() - tally.degraded(), tally.degraded(), tally.errors(), inFlight,
                tally.retries(), tally.cost(), elapsedMillis);
    }

    /** Fields in the order they show; the most needed have the lowest {@code drop} rank, dropped last. */
    private record Field(String longForm, String shortForm, int drop) {}

    private List<Field> fields() {
        List<Field> f = new ArrayList<>();
        String count = total >= 0 ? done + "/" + total : Integer.toString(done);
        String percent = total > 0 ? String.format(Locale.ROOT, " %d%%", done * 100L / total) : "";
        f.add(new Field(count + percent, count, 0));
        f.add(new Field(ok + " ok, " + withoutAnalysis + " without analysis, " + errors + (errors == 1 ? " error" : " errors"),
                ok + " ok " + withoutAnalysis + " w/o analysis " + errors + " err", 3));
        if (inFlight >= 0) f.add(new Field(inFlight + " calls in flight", inFlight + " in flight", 1));
        f.add(new Field(retries + (retries == 1 ? " retry" : " retries"), retries + " retr.", 4));
        f.add(new Field(String.format(Locale.ROOT, "$%.4f", cost), cost >= 100 ? String.format(Locale.ROOT, "$%.0f", cost)
                : String.format(Locale.ROOT, "$%.2f", cost), 1));
        double seconds = elapsedMillis / 1000.0;
        double rate = seconds > 0 ? done / seconds : 0;
        f.add(new Field(String.format(Locale.ROOT, "%.1f/s", rate), String.format(Locale.ROOT, rate < 10 ? "%.1f/s" : "%.0f/s", rate), 5));
        String eta = eta(rate);
        if (eta != null) f.add(new Field("ETA " + eta, "ETA " + eta, 2));
        return f;
    }

    private String eta(double rate) {
        if (total <= 0 || done >= total) return done >= total && total > 0 ? "done" : null;
        if (rate <= 0) return "?";
        return duration((long) Math.ceil((total - done) / rate));
    }

    static String duration(long seconds) {
        if (seconds < 60) return seconds + "s";
        if (seconds < 3600) return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds / 60 % 60);
    }

    /** Every field in its long form, for a log line. */
    String full() {
        return join(fields(), false);
    }

    /** The line, at most {@code width - 1} characters (the last column would wrap on some terminals). */
    String fit(int width) {
        int room = Math.max(20, width) - 1;
        List<Field> shown = new ArrayList<>(fields());
        for (boolean shortForms : new boolean[] {false, true}) {
            String line = join(shown, shortForms);
            if (line.length() <= room) return withBar(line, room);
        }
        // still too wide: drop the least needed fields, one by one, in their short forms
        while (shown.size() > 1) {
            Field least = shown.stream().max(java.util.Comparator.comparingInt(Field::drop)).orElseThrow();
            shown.remove(least);
            String line = join(shown, true);
            if (line.length() <= room) return line;
        }
        String line = join(shown, true);
        return line.length() <= room ? line : line.substring(0, room);
    }

    private static String join(List<Field> fields, boolean shortForms) {
        StringBuilder b = new StringBuilder();
        for (Field f : fields) {
            if (b.length() > 0) b.append(shortForms ? "  " : " | ");
            b.append(shortForms ? f.shortForm() : f.longForm());
        }
        return b.toString();
    }

    /** A bar of the room left, when there is enough for one to say something (and the total is known). */
    private String withBar(String line, int room) {
        int barWidth = Math.min(40, room - line.length() - 1) - 2;
        if (total <= 0 || barWidth < 10) return line;
        int filled = (int) (barWidth * Math.min(1.0, done / (double) total));
        return "[" + "=".repeat(filled) + " ".repeat(barWidth - filled) + "] " + line;
    }
}
