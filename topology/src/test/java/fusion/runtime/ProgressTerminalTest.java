package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

/**
 * {@code fusion run} in a real pseudo-terminal of a set width: tmux runs it in a detached pane, and the pane's screen is
 * read back with capture-pane (-J joins what the terminal wrapped, so a line too wide shows as one long line).
 */
class ProgressTerminalTest {
    private static final int ROWS = 60;

    @TempDir
    Path dir;

    private static boolean tmuxAvailable() {
        try {
            return new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    @DisplayName("80 columns: the progress line fits and shows done/total, outcomes, calls in flight, retries, cost, rate and ETA; so does the summary")
    void eightyColumns() throws Exception {
        progressFits(80);
    }

    @Test
    @DisplayName("120 columns: the progress line fits and shows every field; the summary fits 80 columns")
    void hundredTwentyColumns() throws Exception {
        progressFits(120);
    }

    private void progressFits(int columns) throws Exception {
        Assumptions.assumeTrue(tmuxAvailable(), "tmux is not installed (.ci/run installs it)");
        Path input = dir.resolve("q.jsonl");
        Files.writeString(input, IntStream.range(0, ROWS).mapToObj(i -> "{\"id\":\"q" + i + "\",\"prompt\":\"Question " + i + "?\"}")
                .collect(Collectors.joining("\n", "", "\n")));
        String socket = "fusion-progress-" + ProcessHandle.current().pid() + "-" + columns;
        // A clean environment, as FusionProcess gives: FUSION_* and KAFKA_* variables of this JVM are settings.
        String java = String.join(" ", "env -i PATH=\"$PATH\" HOME=\"$HOME\" TERM=screen",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=fusion.schema -cp '" + System.getProperty("java.class.path") + "'",
                "fusion.cli.FusionCommand run q.jsonl --simulate --out r.jsonl --state-dir state",
                // a few calls at a time, each a while: the run lasts seconds, and the line is redrawn many times
                "--set fusion.calls.max-in-flight=8 --set fusion.simulator.latency-ms=150");
        String script = "cd '" + dir + "' && " + java + "; echo EXIT=$?; sleep 600";
        tmux(socket, "-f", "/dev/null", "new-session", "-d", "-s", "run", "-x", Integer.toString(columns), "-y", "40", script);
        try {
            Set<String> progress = new LinkedHashSet<>();
            // the pane is read while the run redraws its line, every line seen kept, until the run has exited
            String screen = org.awaitility.Awaitility.await("the run in the pane to exit").atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(100)).until(() -> {
                        String now = tmux(socket, "capture-pane", "-p", "-J", "-t", "run");
                        now.lines().filter(l -> l.contains("in flight")).map(String::stripTrailing).forEach(progress::add);
                        return now;
                    }, now -> now.contains("EXIT="));
            assertThat(screen).as(screen).contains("EXIT=0");
            assertThat(progress).as("progress lines seen").isNotEmpty()
                    .allSatisfy(line -> assertThat(line.length()).as(line).isLessThan(columns));
            assertThat(progress).as("a line of the run under way")
                    .anySatisfy(line -> assertThat(line).containsPattern("\\d+/" + ROWS).contains("ok", "err", "in flight", "retr", "$", "/s")
                            .containsPattern("ETA \\d"));
            List<String> after = new ArrayList<>(screen.lines().dropWhile(l -> !l.startsWith(ROWS + " results:")).toList());
            assertThat(after).as(screen).isNotEmpty();
            assertThat(after).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80));
            assertThat(after).anySatisfy(line -> assertThat(line).startsWith("by model:"));
        } finally {
            tmux(socket, "kill-server");
        }
    }

    private static String tmux(String socket, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
