package fusion.runtime;

import fusion.schema.CallRecord;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What a run came to: counts by outcome, wall time, throughput, latency and cost.
 *
 * @param degraded ok results without analysis (the judge failed)
 * @param unreadableRows input lines that were no request at all
 */
public record RunSummary(int requests, int ok, int degraded, int errors, int unreadableRows, long wallMillis,
                         long p50Millis, long p95Millis, long p99Millis, double cost, long calls) {

    public double throughputPerSecond() {
        return wallMillis == 0 ? 0 : requests * 1000.0 / wallMillis;
    }

    public String describe() {
        return String.format(Locale.ROOT,
                "%d results: %d ok, %d ok without analysis, %d errors%s%n"
                        + "wall time %.1f s, %.1f requests/s; latency p50 %d ms, p95 %d ms, p99 %d ms%n"
                        + "%d model calls, cost $%.4f",
                requests, ok - degraded, degraded, errors,
                unreadableRows > 0 ? String.format(Locale.ROOT, " (+%d unreadable input lines)", unreadableRows) : "",
                wallMillis / 1000.0, throughputPerSecond(), p50Millis, p95Millis, p99Millis, calls, cost);
    }

    /** Counts results as they arrive. */
    static final class Tally {
        private int ok;
        private int degraded;
        private int errors;
        private double cost;
        private long calls;
        private final List<Long> latencies = new ArrayList<>();

        void add(FusionResult r) {
            if (r.getStatus() == ResultStatus.ok) {
                ok++;
                if (r.getAnalysis() == null) degraded++;
            } else {
                errors++;
            }
            for (CallRecord c : r.getCalls()) {
                calls++;
                if (c.getUsage().getCost() != null) cost += c.getUsage().getCost();
            }
            if (r.getReceivedAt() > 0 && r.getCompletedAt() >= r.getReceivedAt()) {
                latencies.add(r.getCompletedAt() - r.getReceivedAt());
            }
        }

        /** @param total requests expected, or -1 when not known (collecting a batch as it grows) */
        String progressLine(int total, long elapsedMillis) {
            int done = ok + errors;
            String eta = "";
            if (total > 0 && done > 0 && done < total) {
                eta = String.format(Locale.ROOT, ", ETA %.0f s", (total - done) * (elapsedMillis / 1000.0) / done);
            }
            return String.format(Locale.ROOT, "%d%s done (%d ok, %d without analysis, %d errors), %d calls, $%.4f, %.0f s%s",
                    done, total >= 0 ? "/" + total : "", ok - degraded, degraded, errors, calls, cost, elapsedMillis / 1000.0, eta);
        }

        RunSummary summary(int requests, int unreadable, long wallMillis) {
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            return new RunSummary(requests, ok, degraded, errors, unreadable, wallMillis,
                    percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99), cost, calls);
        }

        private static long percentile(List<Long> sorted, int p) {
            if (sorted.isEmpty()) return 0;
            int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
        }
    }
}
