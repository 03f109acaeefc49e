package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fusion run again over a finished job, as a user replays it: the real CLI, its embedded broker and the simulator. */
class ReplayTest {
    private static final Duration FINISH = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    @DisplayName("a finished job run again → the same results file, written from the topic without starting the pipeline; a new row → the pipeline runs for it")
    void replayStartsNoPipeline() throws Exception {
        Path input = dir.resolve("questions.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 6; i++) lines.add("{\"id\":\"q" + i + "\",\"prompt\":\"Question " + i + ": which is cheaper, A or B?\"}");
        Files.write(input, lines);
        Path first = dir.resolve("first.jsonl");
        Path replay = dir.resolve("replay.jsonl");
        String[] common = {"--simulate", "--state-dir", dir.resolve("state").toString(), "--progress-seconds", "1"};

        String firstOutput = run(input, first, common);
        String replayOutput = run(input, replay, common);

        assertThat(firstOutput).contains("pipeline running");
        assertThat(replayOutput).doesNotContain("pipeline running")
                .contains("every row has its result from an earlier run; writing them without starting the pipeline")
                .contains("this run made 0 of the job's");
        assertThat(Files.readString(replay)).isEqualTo(Files.readString(first));

        lines.add("{\"id\":\"q6\",\"prompt\":\"Question 6: which lasts longer, A or B?\"}");
        Files.write(input, lines);
        String grownOutput = run(input, dir.resolve("grown.jsonl"), common);
        assertThat(grownOutput).contains("pipeline running");
        assertThat(Files.readAllLines(dir.resolve("grown.jsonl"))).hasSize(7);
    }

    private String run(Path input, Path out, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", input.toString(), "--out", out.toString()));
        args.addAll(List.of(options));
        try (FusionProcess run = FusionProcess.start(dir, dir.resolve(out.getFileName() + ".log"), args.toArray(String[]::new))) {
            assertThat(run.waitFor(FINISH)).as(run.output()).isZero();
            return run.output();
        }
    }
}
