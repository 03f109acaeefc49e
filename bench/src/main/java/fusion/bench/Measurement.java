package fusion.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * What one variant did in one scenario. Latency is end to end per request, from submission to
 * result; overhead is that minus the ideal (the slowest panel call plus the judge call).
 */
public record Measurement(String variant, int requests, double wallSeconds, double cpuSeconds, long peakRssMb,
                          long[] latencyMs, long[] overheadMs, String note) {

    public Measurement labelled(String suffix) {
        return new Measurement(variant + suffix, requests, wallSeconds, cpuSeconds, peakRssMb, latencyMs, overheadMs, note);
    }

    public double throughput() {
        return requests / wallSeconds;
    }

    /** Process CPU time per request, in milliseconds: the broker, the simulator and the load included. */
    public double cpuMsPerRequest() {
        return requests == 0 ? 0 : cpuSeconds * 1000 / requests;
    }

    public long latency(double q) {
        return percentile(latencyMs, q);
    }

    public long overhead(double q) {
        return percentile(overheadMs, q);
    }

    static long percentile(long[] values, double q) {
        if (values.length == 0) return -1;
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1 < 0 ? 0 : (int) Math.ceil(q * sorted.length) - 1)];
    }

    public String row() {
        return String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %d / %d / %d | %d / %d / %d | %.1f | %.2f | %d | %s |",
                variant, requests, wallSeconds, throughput(), latency(0.5), latency(0.95), latency(0.99),
                overhead(0.5), overhead(0.95), overhead(0.99), cpuSeconds, cpuMsPerRequest(), peakRssMb, note == null ? "" : note);
    }

    public static String header() {
        return "| variant | requests | wall s | req/s | latency p50/p95/p99 ms | overhead p50/p95/p99 ms | CPU s | CPU ms/req | peak RSS MB | note |\n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |";
    }
}
