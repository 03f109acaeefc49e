package fusion.cli;

import fusion.eval.Scoreboard;
import fusion.report.DatasetReport;
import fusion.report.ReportPage;
import fusion.report.SavedResults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fusion report RESULTS}: a results file as one HTML page to look at. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Writes a self-contained HTML page (inline SVG charts, no external URL) about a results file of fusion run "
                + "or fusion collect (JSONL or Parquet): per model, answers, failures by reason, agreement with the consensus, "
                + "contradictions, unique insights, latency and cost; per dataset, statuses, consensus against contradictions, "
                + "top contradiction topics and cost by stage; and a filterable table of the requests with their analyses and answers."})
public final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RESULTS", description = "results file (JSONL or Parquet) as fusion run --out wrote it")
    Path results;

    @Option(names = "--html", paramLabel = "FILE", description = "where the page goes; default RESULTS with .html in place of its extension")
    Path html;

    @Option(names = "--grades", paramLabel = "GRADES", description = "fusion eval --out's grades of these results: the page shows its table "
            + "(score per model and for the fused answer, wins and losses against the best single model, cost)")
    Path grades;

    @Override
    public Integer call() throws IOException {
        Path page = html != null ? html : defaultPage(results);
        if (!writable("fusion report: --html", page)) return 2;
        if (grades != null && !Files.isRegularFile(grades)) throw new UsageError("--grades " + grades + " is not a file; give the file fusion eval --out wrote");
        Scoreboard scoreboard;
        try {
            scoreboard = grades == null ? null : Scoreboard.read(grades);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        ReportPage.write(DatasetReport.of(results.getFileName().toString(), SavedResults.read(results)), scoreboard, page);
        System.out.println("report in " + page);
        return 0;
    }

    /** Reads a results file and writes its page; {@code fusion run --report} calls this too. */
    static void write(Path results, Path page) throws IOException {
        ReportPage.write(DatasetReport.of(results.getFileName().toString(), SavedResults.read(results)), page);
    }

    /** Whether the page's directory exists; if not, says so before any work is done. */
    static boolean writable(String option, Path page) {
        Path parent = page.toAbsolutePath().getParent();
        if (parent == null || Files.isDirectory(parent)) return true;
        System.err.println(option + " " + page + ": directory " + parent + " does not exist; create it or pick another path");
        return false;
    }

    static Path defaultPage(Path results) {
        String name = results.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return results.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".html");
    }
}
