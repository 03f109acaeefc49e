package fusion.report;

import fusion.eval.Scoreboard;

import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.loader.ClasspathLoader;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The report as one self-contained HTML page: inline SVG charts, one inline stylesheet and one inline
 * script, no external URL. Model output is untrusted, so Pebble escapes every value it writes, and the
 * page's Content-Security-Policy lets only its own script and stylesheet run (by hash): text that slipped
 * through as markup could still not run a handler or load anything.
 */
public final class ReportPage {
    private static final String DIR = "fusion/report/";
    private static final PebbleEngine ENGINE = new PebbleEngine.Builder()
            .loader(classpath())
            .strictVariables(true)
            .autoEscaping(true)
            .build();
    private static final String SCRIPT = resource("report.js");
    private static final String STYLE = resource("report.css");

    private ReportPage() {}

    public static String render(DatasetReport report) {
        return render(report, null);
    }

    /** @param grades fusion eval's scoreboard of these results, shown as its own table; null for none */
    public static String render(DatasetReport report, Scoreboard grades) {
        Map<String, Object> context = new HashMap<>();
        context.put("report", report);
        context.put("grades", grades == null ? java.util.List.of() : grades.rows());
        context.put("bestSingle", grades == null || grades.bestSingle() == null ? "" : grades.bestSingle());
        context.put("bars", ReportCharts.bars(report));
        context.put("boxes", ReportCharts.boxes(report));
        context.put("bubbles", ReportCharts.bubbles(report));
        context.put("chartWidth", ReportCharts.WIDTH);
        context.put("labelWidth", ReportCharts.LABEL);
        context.put("script", SCRIPT);
        context.put("style", STYLE);
        context.put("policy", "default-src 'none'; script-src '" + sha256(SCRIPT) + "'; style-src '" + sha256(STYLE) + "'");
        PebbleTemplate template = ENGINE.getTemplate("report.peb");
        StringWriter out = new StringWriter();
        try {
            template.evaluate(out, context);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Writes the page next to its final name first, so a reader never sees half a report. */
    public static void write(DatasetReport report, Path file) throws IOException {
        write(report, null, file);
    }

    public static void write(DatasetReport report, Scoreboard grades, Path file) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (Writer w = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
            w.write(render(report, grades));
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static ClasspathLoader classpath() {
        ClasspathLoader loader = new ClasspathLoader(ReportPage.class.getClassLoader());
        loader.setPrefix(DIR);
        return loader;
    }

    private static String resource(String name) {
        try (InputStream in = ReportPage.class.getClassLoader().getResourceAsStream(DIR + name)) {
            if (in == null) throw new IllegalStateException(DIR + name + " is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A CSP source for inline content: 'sha256-' and the base64 of its digest. */
    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
