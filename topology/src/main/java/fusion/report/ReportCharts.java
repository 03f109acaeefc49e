package fusion.report;

import fusion.report.DatasetReport.Bubble;
import fusion.report.DatasetReport.Distribution;
import fusion.report.DatasetReport.ModelFigures;
import fusion.report.DatasetReport.StageSplit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The geometry of the report's charts, computed here so the template only draws: every chart is an
 * inline SVG of bars, boxes or bubbles whose coordinates come from these records. Labels are text; the
 * template escapes them.
 */
final class ReportCharts {
    static final int WIDTH = 720;
    static final int LABEL = 220;
    static final int ROW = 22;
    static final int PLOT = WIDTH - LABEL - 170; // room for the value text past the longest bar

    private ReportCharts() {}

    /** One coloured piece of a bar. */
    record Segment(double x, double width, String kind, String title) {}

    record Bar(String label, double y, List<Segment> segments, String value) {
        /** Where the value's text starts: just past the bar's end. */
        public double valueX() {
            Segment last = segments.get(segments.size() - 1);
            return last.x() + last.width() + 4;
        }
    }

    record BarChart(String id, String title, String legend, int height, List<Bar> bars) {}

    /** Whisker from min to max, box from median to the 90th percentile. */
    record Box(String label, double y, double minX, double maxX, double medianX, double p90X, String value) {}

    record BoxChart(String id, String title, String legend, int height, List<Box> boxes) {}

    record Dot(double cx, double cy, double r, String title) {}

    record Tick(double at, String label) {}

    record BubbleChart(String id, String title, String legend, int width, int height, List<Dot> dots, List<Tick> xTicks, List<Tick> yTicks) {}

    static List<BarChart> bars(DatasetReport report) {
        List<BarChart> charts = new ArrayList<>();
        List<ModelFigures> models = report.models();
        double most = models.stream().mapToDouble(m -> m.answers() + m.failureCount()).max().orElse(0);
        List<Bar> answered = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            ModelFigures m = models.get(i);
            List<Segment> parts = new ArrayList<>();
            double x = LABEL;
            double w = scale(m.answers(), most);
            parts.add(new Segment(x, w, "ok", m.answers() + " answers"));
            String failures = m.failures().isEmpty() ? "no failures" : m.failures().toString().replaceAll("[{}]", "").replace('=', ' ');
            parts.add(new Segment(x + w, scale(m.failureCount(), most), "fail", m.failureCount() + " failures: " + failures));
            answered.add(new Bar(m.model(), y(i), parts, m.answers() + " / " + m.failureCount()));
        }
        charts.add(new BarChart("answers", "Answers and failures per model", "green: answers given; red: failed calls (hover for reasons)",
                height(models.size()), answered));
        charts.add(simple("consensus", "Sided with the consensus", "share of its analysed answers whose stance was the panel's majority in every contradiction",
                models, ModelFigures::model, m -> (double) m.consensusPercent(), m -> m.consensusPercent() + "% of " + m.analysed(), 100));
        charts.add(simple("contradictions", "Contradictions taken part in", "contradictions in which the judge recorded a stance of this model",
                models, ModelFigures::model, m -> (double) m.contradictions(), m -> Integer.toString(m.contradictions()), 0));
        charts.add(simple("insights", "Unique insights", "points only this model raised, by the judge's analysis",
                models, ModelFigures::model, m -> (double) m.uniqueInsights(), m -> Integer.toString(m.uniqueInsights()), 0));
        List<Map.Entry<String, Integer>> statuses = List.copyOf(report.statuses().entrySet());
        charts.add(simple("statuses", "Results by status", "ok with analysis, ok whose judge failed, and errors by failure reason",
                statuses, Map.Entry::getKey, e -> (double) e.getValue(), e -> Integer.toString(e.getValue()), 0));
        List<Map.Entry<String, Integer>> topics = List.copyOf(report.topTopics().entrySet());
        charts.add(simple("topics", "Top contradiction topics", "how many requests' analyses named each topic",
                topics, Map.Entry::getKey, e -> (double) e.getValue(), e -> Integer.toString(e.getValue()), 0));
        List<StageSplit> stages = report.stages();
        charts.add(simple("stage-cost", "Cost by stage", "USD as the providers reported it", stages, StageSplit::stage,
                StageSplit::cost, s -> String.format(Locale.ROOT, "$%.4f", s.cost()), 0));
        charts.add(simple("stage-tokens", "Tokens by stage", "prompt and completion tokens", stages, StageSplit::stage,
                s -> (double) s.tokens(), s -> String.format(Locale.ROOT, "%,d", s.tokens()), 0));
        return charts;
    }

    static List<BoxChart> boxes(DatasetReport report) {
        return List.of(
                box("latency", "Latency per model", "ms per call; line min to max, box median to p90", report.models(), ModelFigures::latencyMs,
                        d -> String.format(Locale.ROOT, "p50 %.0f ms, p90 %.0f ms", d.median(), d.p90())),
                box("cost", "Cost per call per model", "USD per call; line min to max, box median to p90", report.models(), ModelFigures::cost,
                        d -> String.format(Locale.ROOT, "p50 $%.6f", d.median())));
    }

    /** Requests by (consensus points, contradictions): one bubble per pair, its area the number of requests. */
    static BubbleChart bubbles(DatasetReport report) {
        List<Bubble> all = report.consensusAgainstContradictions();
        int maxX = Math.max(1, all.stream().mapToInt(Bubble::consensus).max().orElse(1));
        int maxY = Math.max(1, all.stream().mapToInt(Bubble::contradictions).max().orElse(1));
        int most = Math.max(1, all.stream().mapToInt(Bubble::requests).max().orElse(1));
        int w = WIDTH;
        int h = 300;
        double left = 50;
        double bottom = h - 40;
        double plotW = w - left - 30;
        double plotH = bottom - 20;
        List<Dot> dots = new ArrayList<>();
        for (Bubble b : all) {
            dots.add(new Dot(left + plotW * b.consensus() / maxX, bottom - plotH * b.contradictions() / maxY,
                    4 + 14 * Math.sqrt((double) b.requests() / most),
                    b.requests() + " requests with " + b.consensus() + " consensus points and " + b.contradictions() + " contradictions"));
        }
        List<Tick> xs = new ArrayList<>();
        for (int i = 0; i <= maxX; i += Math.max(1, maxX / 8)) xs.add(new Tick(left + plotW * i / maxX, Integer.toString(i)));
        List<Tick> ys = new ArrayList<>();
        for (int i = 0; i <= maxY; i += Math.max(1, maxY / 5)) ys.add(new Tick(bottom - plotH * i / maxY, Integer.toString(i)));
        return new BubbleChart("bubbles", "Consensus size against contradiction count",
                "each bubble: analysed requests with that many consensus points (x) and contradictions (y)", w, h, dots, xs, ys);
    }

    private static <T> BarChart simple(String id, String title, String legend, List<T> items, Function<T, String> label,
            Function<T, Double> value, Function<T, String> text, double scaleTo) {
        double most = scaleTo > 0 ? scaleTo : items.stream().mapToDouble(value::apply).max().orElse(0);
        List<Bar> bars = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            T item = items.get(i);
            double v = value.apply(item);
            bars.add(new Bar(label.apply(item), y(i), List.of(new Segment(LABEL, scale(v, most), "value", text.apply(item))), text.apply(item)));
        }
        return new BarChart(id, title, legend, height(items.size()), bars);
    }

    private static BoxChart box(String id, String title, String legend, List<ModelFigures> models, Function<ModelFigures, Distribution> of,
            Function<Distribution, String> text) {
        double most = models.stream().mapToDouble(m -> of.apply(m).max()).max().orElse(0);
        List<Box> boxes = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            Distribution d = of.apply(models.get(i));
            if (d.count() == 0) continue;
            boxes.add(new Box(models.get(i).model(), y(boxes.size()), LABEL + scale(d.min(), most), LABEL + scale(d.max(), most),
                    LABEL + scale(d.median(), most), LABEL + Math.max(scale(d.p90(), most), scale(d.median(), most) + 1), text.apply(d)));
        }
        return new BoxChart(id, title, legend, height(boxes.size()), boxes);
    }

    private static double scale(double v, double most) {
        return most <= 0 ? 0 : PLOT * v / most;
    }

    private static double y(int row) {
        return 4 + row * ROW;
    }

    private static int height(int rows) {
        return Math.max(1, rows) * ROW + 8;
    }
}
