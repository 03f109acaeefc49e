package fusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.runtime.FusionProcess;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fusion bench} comes from this module: the CLI finds it when the module is on the class path, as ./fusion puts it. */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("with the bench module on the class path, fusion --help lists bench")
    void helpListsBench() throws Exception {
        String help = fusion("--help");
        assertThat(help).contains("  run ", "  bench ").contains("Measures, in one process against the built-in simulator");
    }

    @Test
    @DisplayName("fusion bench --help prints its usage without a picocli WARN")
    void benchHelpWithoutWarnings() throws Exception {
        assertThat(fusion("bench", "--help")).startsWith("Usage: fusion bench").contains("--scenarios").doesNotContain("WARN");
    }

    private String fusion(String... args) throws Exception {
        try (FusionProcess process = FusionProcess.start(dir, dir.resolve("out.log"), args)) {
            assertThat(process.waitFor(Duration.ofSeconds(60))).as(process.output()).isZero();
            return process.output();
        }
    }
}
