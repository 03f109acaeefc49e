package fusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.runtime.FusionProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the real {@code fusion} process prints for a mistake: one line naming it and its fix, exit 2, before any broker starts. */
class CommandErrorsTest {
    @TempDir
    Path dir;

    private Path input() throws Exception {
        Path input = dir.resolve("q.jsonl");
        Files.writeString(input, "{\"prompt\":\"Compare A and B\"}\n");
        return input;
    }

    private record Ran(int exit, String output) {
        List<String> lines() {
            return output.lines().toList();
        }
    }

    private Ran fusion(String... args) throws Exception {
        try (FusionProcess process = FusionProcess.start(dir, dir.resolve("out-" + System.nanoTime() + ".log"), args)) {
            int exit = process.waitFor(Duration.ofSeconds(60));
            return new Ran(exit, process.output());
        }
    }

    @Test
    @DisplayName("--out into a missing directory → exit 2, one line naming the directory and how to fix it, no stack trace, no broker started")
    void outIntoMissingDirectory() throws Exception {
        Ran run = fusion("run", input().toString(), "--simulate", "--out", dir.resolve("no/such/dir/results.jsonl").toString(),
                "--state-dir", dir.resolve("state").toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.lines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("fusion run: --out ").contains("directory " + dir.resolve("no/such/dir") + " does not exist", "mkdir -p"));
        assertThat(dir.resolve("state")).doesNotExist();
    }

    @Test
    @DisplayName("--debug shows the same error's stack trace")
    void debugShowsTheStack() throws Exception {
        Ran run = fusion("run", input().toString(), "--simulate", "--out", dir.resolve("no/results.jsonl").toString(), "--debug");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.output()).contains("at fusion.cli.OutputFile.check").contains("fusion run: --out ");
    }

    @Test
    @DisplayName("--out naming a directory, and an INPUT that does not exist → exit 2, one line each")
    void outIsDirectoryAndMissingInput() throws Exception {
        Ran directory = fusion("run", input().toString(), "--simulate", "--out", dir.toString());
        Ran missing = fusion("run", dir.resolve("nope.jsonl").toString(), "--simulate", "--out", dir.resolve("r.jsonl").toString());

        assertThat(directory.exit()).isEqualTo(2);
        assertThat(directory.lines()).singleElement().satisfies(l -> assertThat(l).contains("is a directory; name a file in it"));
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.lines()).singleElement().satisfies(l -> assertThat(l).contains("nope.jsonl does not exist"));
    }

    @Test
    @DisplayName("a mistyped setting, a bad value, a missing --config, an unknown --preset → exit 2, one line with the fix, before anything starts")
    void badSettings() throws Exception {
        Path input = input();
        String out = dir.resolve("r.jsonl").toString();
        Ran typo = fusion("run", input.toString(), "--simulate", "--out", out, "--set", "fusion.simualtor.latency-ms=5");
        Ran value = fusion("run", input.toString(), "--simulate", "--out", out, "--set", "fusion.calls.max-in-flight=many");
        Ran bare = fusion("run", input.toString(), "--simulate", "--out", out, "--set", "commit.interval.ms=50");
        Ran config = fusion("run", input.toString(), "--simulate", "--out", out, "--config", dir.resolve("none.properties").toString());
        Ran preset = fusion("run", input.toString(), "--simulate", "--out", out, "--preset", "general-hihg");

        for (Ran r : List.of(typo, value, bare, config, preset)) {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.lines()).hasSize(1);
            assertThat(r.output()).doesNotContain("Exception").doesNotContain("\tat ");
        }
        assertThat(typo.output()).contains("did you mean fusion.simulator.latency-ms?");
        assertThat(value.output()).contains("fusion.calls.max-in-flight is 'many'; it must be a whole number");
        assertThat(bare.output()).contains("kafka.commit.interval.ms");
        assertThat(config.output()).contains("--config ", "does not exist");
        assertThat(preset.output()).contains("--preset general-hihg is not a preset; use one of general-budget, general-fast, general-high");
        assertThat(dir.resolve(".fusion")).doesNotExist();
    }

    @Test
    @DisplayName("a mistyped command or option → exit 2, the nearest name, and where the help is; no usage dump")
    void mistypes() throws Exception {
        Ran command = fusion("rn", "q.jsonl");
        Ran option = fusion("run", input().toString(), "--out", "r.jsonl", "--simulat");

        assertThat(command.exit()).isEqualTo(2);
        assertThat(command.lines()).containsExactly("fusion: 'rn' is not a command; did you mean fusion run?", "see 'fusion --help'");
        assertThat(option.exit()).isEqualTo(2);
        assertThat(option.lines()).containsExactly("fusion run: Unknown option: '--simulat'; did you mean --simulate?", "see 'fusion run --help'");
    }

    @Test
    @DisplayName("every command's --help prints without a picocli WARN (bench's: BenchCommandTest, in its module)")
    void helpWithoutWarnings() throws Exception {
        for (String command : List.of("run", "broker", "serve", "submit", "collect", "status", "cancel")) {
            Ran help = fusion(command, "--help");
            assertThat(help.exit()).as(command).isZero();
            assertThat(help.output()).as(command).startsWith("Usage: fusion " + command).doesNotContain("WARN");
        }
    }

    @Test
    @DisplayName("a run's terminal shows the project's lines; Kafka's own log lines go to kafka.log in the state directory")
    void kafkaLogsToTheStateDirectory() throws Exception {
        Path state = dir.resolve("state");
        Ran run = fusion("run", input().toString(), "--simulate", "--out", dir.resolve("r.jsonl").toString(), "--state-dir", state.toString());

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("Kafka's own log in " + state.resolve("kafka.log")).doesNotContain("org.apache.kafka");
        // Streams warns of its processing exception handler at every start: a line sure to be there
        assertThat(Files.readString(state.resolve("kafka.log"))).contains("WARN").contains("org.apache.kafka.streams");
    }
}
