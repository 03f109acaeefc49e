package fusion.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fusion.runtime.ResultSink;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report page as a browser shows it: Debian's headless Chromium loads the file, runs its script and dumps the DOM.
 * Skipped where Chromium is not installed, except on CI (CI=true), where .ci/run installs it and its absence fails.
 * The screenshot stays in target/report/ as the build's artifact.
 */
class ReportPageBrowserTest {
    private static final Path ARTIFACTS = Path.of("target", "report").toAbsolutePath();
    private static final Pattern CHART = Pattern.compile("<svg[^>]*data-chart=\"([^\"]+)\"[^>]*>");
    private static final Pattern REQUEST = Pattern.compile("<tbody class=\"request[^\"]*\"[^>]*>.*?class=\"request-id\">([^<]*)<", Pattern.DOTALL);

    private static Path page;
    private static String chromium;

    @TempDir
    static Path dir;

    @BeforeAll
    static void writePage() throws IOException {
        chromium = findChromium();
        Files.createDirectories(ARTIFACTS);
        Path results = SmallResults.write(dir.resolve("results.jsonl"), ResultSink.Format.JSONL);
        page = ARTIFACTS.resolve("report.html");
        ReportPage.write(DatasetReport.of("results", SavedResults.read(results)), page);
    }

    private static String findChromium() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                if (Files.isExecutable(Path.of(d, name))) return Path.of(d, name).toString();
            }
        }
        if ("true".equals(System.getenv("CI"))) fail("Chromium is not installed; .ci/run installs Debian's chromium for this test");
        return null;
    }

    /** The DOM after the page's script ran, the page opened with this hash. */
    private static String dom(String hash) throws Exception {
        assumeTrue(chromium != null, "Chromium is not installed here (CI installs it)");
        return run("--dump-dom", page.toUri() + hash);
    }

    private static String run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"), "--virtual-time-budget=5000"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "chromium", ".out");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("Chromium did not finish loading the report");
        }
        assertThat(p.exitValue()).as("chromium's exit code").isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** Request id → whether its rows are hidden. */
    private static Map<String, Boolean> requestRows(String dom) {
        Map<String, Boolean> rows = new LinkedHashMap<>();
        Matcher m = REQUEST.matcher(dom);
        while (m.find()) {
            String open = m.group().substring(0, m.group().indexOf('>') + 1);
            rows.put(m.group(1), open.contains(" hidden"));
        }
        return rows;
    }

    @Test
    @DisplayName("every chart is drawn: each SVG has shapes the browser laid out with a size")
    void chartsRender() throws Exception {
        String dom = dom("");

        Matcher m = CHART.matcher(dom);
        Map<String, String> charts = new LinkedHashMap<>();
        while (m.find()) charts.put(m.group(1), m.group());
        assertThat(charts.keySet()).containsExactlyInAnyOrder("answers", "consensus", "contradictions", "insights", "latency", "cost",
                "statuses", "bubbles", "topics", "stage-cost", "stage-tokens");
        charts.forEach((id, tag) -> assertThat(tag).as("chart " + id).contains("data-rendered=\"true\""));
    }

    @Test
    @DisplayName("the page names every model and every request, and shows them all unfiltered")
    void namesEverything() throws Exception {
        String dom = dom("");

        assertThat(dom).contains("a/one", "b/two", "c/three", "j/judge (judge)");
        assertThat(requestRows(dom)).containsExactly(Map.entry("r1-split", false), Map.entry("r2-tie", false),
                Map.entry("r3-judge-failed", false), Map.entry("r4-all-failed", false));
    }

    @Test
    @DisplayName("the filter in the URL's hash shows only the matching requests: by status, and by text")
    void filters() throws Exception {
        Map<String, Boolean> byStatus = requestRows(dom("#status=error%3A+all_panels_failed"));
        Map<String, Boolean> byText = requestRows(dom("#q=C%2FTHREE"));

        assertThat(byStatus).containsExactly(Map.entry("r1-split", true), Map.entry("r2-tie", true),
                Map.entry("r3-judge-failed", true), Map.entry("r4-all-failed", false));
        assertThat(byText).as("c/three answered r1 and failed in r2").containsExactly(Map.entry("r1-split", false), Map.entry("r2-tie", false),
                Map.entry("r3-judge-failed", true), Map.entry("r4-all-failed", true));
    }

    @Test
    @DisplayName("#open=ID opens that request to its analysis and answers; the others stay closed")
    void opensOneRequest() throws Exception {
        String dom = dom("#open=r1-split");

        Matcher m = Pattern.compile("<tbody class=\"request[^\"]*\" data-id=\"([^\"]+)\".*?<tr class=\"detail\"([^>]*)>", Pattern.DOTALL).matcher(dom);
        Map<String, Boolean> detailShown = new LinkedHashMap<>();
        while (m.find()) detailShown.put(m.group(1), !m.group(2).contains("hidden"));
        assertThat(detailShown).containsExactly(Map.entry("r1-split", true), Map.entry("r2-tie", false),
                Map.entry("r3-judge-failed", false), Map.entry("r4-all-failed", false));
        assertThat(dom).contains("<h3>Contradictions</h3>", "tests matter", "licensing");
    }

    @Test
    @DisplayName("an answer with </script><img onerror> stays text: no element from it, no script of it ran")
    void hostileAnswerStaysText() throws Exception {
        String dom = dom("");

        assertThat(dom).contains("<title>Fusion report: results</title>").doesNotContain("pwned</title>");
        assertThat(dom).doesNotContain("<img").contains("&lt;/script&gt;&lt;img src=x onerror=");
    }

    @Test
    @DisplayName("a screenshot of the page is saved as the build's artifact")
    void screenshot() throws Exception {
        assumeTrue(chromium != null, "Chromium is not installed here (CI installs it)");
        Path png = ARTIFACTS.resolve("report.png");
        Files.deleteIfExists(png);

        run("--screenshot=" + png, "--window-size=1280,2400", "--hide-scrollbars", page.toUri().toString());

        assertThat(png).exists();
        byte[] head = Files.readAllBytes(png);
        assertThat(head.length).isGreaterThan(10_000);
        assertThat(new String(head, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }
}
