package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fusion run with no way to call a model fails before it starts anything. */
class NoProviderTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("no --simulate and no provider key → exit 2 at once, saying how to configure a provider; no broker started")
    void noProviderNoRun() throws Exception {
        Path input = dir.resolve("q.jsonl");
        Files.writeString(input, "{\"prompt\":\"Compare A and B\"}\n");
        Path config = dir.resolve("fusion.properties");
        // The key's variable is one that is surely unset, whatever this machine's environment holds.
        Files.writeString(config, "fusion.provider.openrouter.api-key-env=FUSION_TEST_UNSET_KEY_VARIABLE\n");

        try (FusionProcess run = FusionProcess.start(dir, dir.resolve("out.log"), "run", input.toString(), "--out",
                dir.resolve("results.jsonl").toString(), "--config", config.toString(), "--state-dir", dir.resolve("state").toString())) {
            assertThat(run.waitFor(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(run.output()).contains("no model provider is configured", "set FUSION_TEST_UNSET_KEY_VARIABLE", "fusion.provider.<name>.base-url",
                    "--simulate");
        }
        assertThat(dir.resolve("state")).doesNotExist();
        assertThat(dir.resolve("results.jsonl")).doesNotExist();
    }
}
