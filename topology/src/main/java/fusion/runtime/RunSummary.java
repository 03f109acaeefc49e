package fusion.runtime;

import fusion.schema.CallRecord;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a run came to: counts by outcome, wall time, throughput, latency, and usage and cost per
 * stage (panel, judge, synthesis) and per model.
 *
 * @param degraded ok results without analysis (the judge failed)
 * @param unreadableRows input rows answered as they were read, without being sent (no request, too large,
 *                       a duplicate id, a turn already taken)
 * @param duplicateIds   of those, rows that repeated an earlier row's id with other content
 */
public record RunSummary(int requests, int ok, int degraded, int errors, int unreadableRows, long wallMillis,
                         long p50Millis, long p95Millis, long p99Millis, double cost, long calls,
                         Map<String, Spend> byStage, Map<String, Spend> byModel, long reusedCalls, double savedCost,
                         Wire wire, int retriedResults, int duplicateIds) {

    public RunSummary(int requests, int ok, int degraded, int errors, int unreadableRows, long wallMillis,
                      long p50Millis, long p95Millis, long p99Millis, double cost, long calls,
                      Map<String, Spend> byStage, Map<String, Spend> byModel, long reusedCalls, double savedCost) {
        this(requests, ok, degraded, errors, unreadableRows, wallMillis, p50Millis, p95Millis, p99Millis, cost, calls,
                byStage, byModel, reusedCalls, savedCost, Wire.NONE, 0, 0);
    }

    /**
     * What the calls went through, summed over the results: retries by failure kind, calls that
     * waited for an open circuit, HTTP requests on the wire next to the logical calls; and, from this
     * process alone, calls issued again after a crash or rebalance.
     */
    public record Wire(Map<String, Long> retriesByReason, long waitedForCircuit, long httpRequests, long repeatedAfterCrash) {
        static final Wire NONE = new Wire(Map.of(), 0, 0, 0);

        public long retries() {
            return retriesByReason.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** The same summary, saying that {@code n} results of earlier runs were sent again as a next try. */
    public RunSummary withRetriedResults(int n) {
        return new RunSummary(requests, ok, degraded, errors, unreadableRows, wallMillis, p50Millis, p95Millis, p99Millis, cost, calls,
                byStage, byModel, reusedCalls, savedCost, wire, n, duplicateIds);
    }

    /** The same summary, with the calls this process issued again after a crash or rebalance. */
    public RunSummary withRepeatedAfterCrash(long n) {
        Wire c = new Wire(wire.retriesByReason(), wire.waitedForCircuit(), wire.httpRequests(), n);
        return new RunSummary(requests, ok, degraded, errors, unreadableRows, wallMillis, p50Millis, p95Millis, p99Millis, cost, calls,
                byStage, byModel, reusedCalls, savedCost, c, retriedResults, duplicateIds);
    }

    public RunSummary withDuplicateIds(int duplicates) {
        return new RunSummary(requests, ok, degraded, errors, unreadableRows, wallMillis, p50Millis, p95Millis, p99Millis, cost, calls,
                byStage, byModel, reusedCalls, savedCost, wire, retriedResults, duplicates);
    }

    /**
     * Calls, tokens and cost of one stage or one model.
     *
     * @param toolCalls web tool calls those calls made; {@code toolCost} what their tool-asking turns cost, part of {@code cost}
     */
    public record Spend(long calls, long promptTokens, long completionTokens, double cost, long toolCalls, double toolCost) {
        public Spend(long calls, long promptTokens, long completionTokens, double cost) {
            this(calls, promptTokens, completionTokens, cost, 0, 0);
        }

        Spend plus(CallRecord c) {
            Double usd = c.getUsage().getCost();
            Double toolUsd = c.getUsage().getToolCost();
            return new Spend(calls + 1, promptTokens + c.getUsage().getPromptTokens(),
                    completionTokens + c.getUsage().getCompletionTokens() + c.getUsage().getReasoningTokens(), cost + (usd == null ? 0 : usd),
                    toolCalls + c.getUsage().getToolCalls(), toolCost + (toolUsd == null ? 0 : toolUsd));
        }

        /** A row of the 80-column table {@link #TABLE_HEADER} heads; a name too long for its column gets a line of its own. */
        String describe(String name) {
            String numbers = String.format(Locale.ROOT, "%7d %12d %12d %10.4f", calls, promptTokens, completionTokens, cost);
            String row = name.length() <= NAME_COLUMN ? String.format(Locale.ROOT, "  %-" + NAME_COLUMN + "s %s", name, numbers)
                    : "  " + name + String.format(Locale.ROOT, "%n  %-" + NAME_COLUMN + "s %s", "", numbers);
            // tool figures on a line of their own, so the row still fits 80 columns
            return toolCalls == 0 ? row : row + String.format(Locale.ROOT, "%n  %-" + NAME_COLUMN + "s %d web tool calls, $%.4f on tool steps",
                    "", toolCalls, toolCost);
        }
    }

    private static final Spend NONE = new Spend(0, 0, 0, 0);
    private static final int NAME_COLUMN = 32;
    /** The summary is read in a terminal: no line of it is wider than this. */
    static final int WIDTH = 80;

    private static String tableHeader(String title) {
        return String.format(Locale.ROOT, "%-" + (NAME_COLUMN + 2) + "s %7s %12s %12s %10s", title, "calls", "tokens in", "tokens out", "cost $");
    }

    /** Web tool calls over all stages. */
    public long toolCalls() {
        return byStage.values().stream().mapToLong(Spend::toolCalls).sum();
    }

    public double throughputPerSecond() {
        return wallMillis == 0 ? 0 : requests * 1000.0 / wallMillis;
    }

    public String describe() {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "%d results: %d ok, %d ok without analysis, %d errors%s%n"
                        + "wall time %.1f s, %.1f requests/s; latency p50 %d ms, p95 %d ms, p99 %d ms%n"
                        + "%d model calls, cost $%.4f",
                requests, ok - degraded, degraded, errors,
                unreadableRows > 0 ? String.format(Locale.ROOT, " (+%d input rows answered as they were read)", unreadableRows) : "",
                wallMillis / 1000.0, throughputPerSecond(), p50Millis, p95Millis, p99Millis, calls, cost));
        if (retriedResults > 0) {
            s.append(String.format(Locale.ROOT, "%n%d results that had failed for a passing reason were tried again", retriedResults));
        }
        s.append(String.format(Locale.ROOT, "%n%d HTTP requests for %d calls; %d retries%s", wire.httpRequests(), calls, wire.retries(),
                wire.retries() == 0 ? "" : " (" + describe(wire.retriesByReason()) + ")"));
        if (wire.waitedForCircuit() > 0) {
            s.append(String.format(Locale.ROOT, "%n%d calls waited for an open circuit", wire.waitedForCircuit()));
        }
        if (wire.repeatedAfterCrash() > 0) {
            s.append(String.format(Locale.ROOT, "%n%d calls were sent again after a crash or rebalance (their first try may have been paid)",
                    wire.repeatedAfterCrash()));
        }
        if (duplicateIds > 0) {
            s.append(String.format(Locale.ROOT, "%n%d duplicate request ids: rows that repeat an earlier row's id with other content, "
                    + "each answered with duplicate_request_id", duplicateIds));
        }
        if (reusedCalls > 0) {
            s.append(String.format(Locale.ROOT, "%n%d panel answers reused or supplied with the request, not paid (saved $%.4f)",
                    reusedCalls, savedCost));
        }
        if (toolCalls() > 0) {
            s.append(String.format(Locale.ROOT, "%n%d web tool calls; $%.4f of the cost went to the model turns that asked for them",
                    toolCalls(), byStage.values().stream().mapToDouble(Spend::toolCost).sum()));
        }
        if (calls > 0) {
            s.append(String.format("%n")).append(tableHeader("by stage:"));
            byStage.forEach((stage, spend) -> s.append(String.format("%n")).append(spend.describe(stage)));
            s.append(String.format("%n")).append(tableHeader("by model:"));
            byModel.forEach((model, spend) -> s.append(String.format("%n")).append(spend.describe(model)));
        }
        return wrap(s.toString(), WIDTH);
    }

    /** Lines wider than {@code width} broken at spaces, continued two spaces in. */
    static String wrap(String text, int width) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\\R", -1)) {
            if (out.length() > 0) out.append(System.lineSeparator());
            String rest = line;
            String indent = "";
            while ((indent + rest).length() > width) {
                int room = width - indent.length();
                int cut = rest.lastIndexOf(' ', room);
                if (cut <= 0) cut = room; // one word wider than the line: cut it
                out.append(indent).append(rest, 0, cut).append(System.lineSeparator());
                rest = rest.substring(cut).stripLeading();
                indent = "  ";
            }
            out.append(indent).append(rest);
        }
        return out.toString();
    }

    private static String describe(Map<String, Long> counts) {
        StringBuilder b = new StringBuilder();
        counts.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return b.toString();
    }

    /** Counts results as they arrive. */
    public static final class Tally {
        private int ok;
        private int degraded;
        private int errors;
        private final Map<String, Spend> byStage = new TreeMap<>();
        private final Map<String, Spend> byModel = new TreeMap<>();
        private final List<Long> latencies = new ArrayList<>();
        private long reusedCalls;
        private double savedCost;
        private final Map<String, Long> retries = new TreeMap<>();
        private long waitedForCircuit;
        private long httpRequests;
        private final long since;

        public Tally() {
            this(0);
        }

        /** @param since this run's start: latency counts from it, and results completed before it (replayed) count none */
        public Tally(long since) {
            this.since = since;
        }

        public void add(FusionResult r) {
            if (r.getStatus() == ResultStatus.ok) {
                ok++;
                if (r.getAnalysis() == null) degraded++;
            } else {
                errors++;
            }
            for (CallRecord c : r.getCalls()) {
                if (c.getReused()) {
                    reusedCalls++;
                    if (c.getUsage().getCost() != null) savedCost += c.getUsage().getCost();
                    continue;
                }
                byStage.merge(c.getStage(), NONE.plus(c), (a, b) -> a.plus(c));
                c.getRetries().forEach((kind, n) -> retries.merge(kind, (long) n, Long::sum));
                if (c.getCircuitWaitMs() > 0) waitedForCircuit++;
                // releases up to 0.1.0 did not count HTTP requests: their attempts are the best figure
                httpRequests += c.getHttpRequests() > 0 ? c.getHttpRequests() : c.getAttempts();
                byModel.merge(c.getModel(), NONE.plus(c), (a, b) -> a.plus(c));
            }
            long from = Math.max(r.getReceivedAt(), since);
            if (r.getReceivedAt() > 0 && r.getCompletedAt() >= from) {
                latencies.add(r.getCompletedAt() - from);
            }
        }

        public int done() {
            return ok + errors;
        }

        int ok() {
            return ok;
        }

        int degraded() {
            return degraded;
        }

        int errors() {
            return errors;
        }

        long retries() {
            return retries.values().stream().mapToLong(Long::longValue).sum();
        }

        public double cost() {
            return byStage.values().stream().mapToDouble(Spend::cost).sum();
        }

        long calls() {
            return byStage.values().stream().mapToLong(Spend::calls).sum();
        }

        RunSummary summary(int requests, int unreadable, long wallMillis) {
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            return new RunSummary(requests, ok, degraded, errors, unreadable, wallMillis,
                    percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99), cost(), calls(),
                    Collections.unmodifiableMap(new TreeMap<>(byStage)), Collections.unmodifiableMap(new TreeMap<>(byModel)),
                    reusedCalls, savedCost, new Wire(Map.copyOf(retries), waitedForCircuit, httpRequests, 0), 0, 0);
        }

        private static long percentile(List<Long> sorted, int p) {
            if (sorted.isEmpty()) return 0;
            int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
        }
    }
}
