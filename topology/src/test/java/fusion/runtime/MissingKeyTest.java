package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fusion run with a provider that needs a key and has none fails before it starts anything, whatever base-url is set. */
class MissingKeyTest {
    @TempDir
    Path dir;

    private String run(String settings) throws Exception {
        Path input = dir.resolve("q.jsonl");
        Files.writeString(input, "{\"prompt\":\"Compare A and B\"}\n");
        Path config = dir.resolve("fusion.properties");
        Files.writeString(config, settings);
        try (FusionProcess run = FusionProcess.start(dir, dir.resolve("out.log"), "run", input.toString(), "--out",
                dir.resolve("results.jsonl").toString(), "--config", config.toString(), "--state-dir", dir.resolve("state").toString())) {
            assertThat(run.waitFor(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(dir.resolve("state")).doesNotExist();
            assertThat(dir.resolve("results.jsonl")).doesNotExist();
            return run.output();
        }
    }

    @Test
    @DisplayName("base-url set to a remote proxy, no key → exit 2 at once, one line naming the provider and the variable; no stack trace")
    void remoteBaseUrlWithoutKey() throws Exception {
        // The key's variable is one that is surely unset, whatever this machine's environment holds.
        String output = run("""
                fusion.provider.openrouter.base-url=https://proxy.example.invalid/api/v1
                fusion.provider.openrouter.api-key-env=FUSION_TEST_UNSET_KEY_VARIABLE
                """);

        assertThat(output).contains("provider openrouter", "needs one", "set FUSION_TEST_UNSET_KEY_VARIABLE");
        assertThat(output.lines().filter(l -> !l.isBlank())).hasSizeLessThanOrEqualTo(2);
        assertThat(output).doesNotContain("Exception", "\tat ");
    }

    @Test
    @DisplayName("a local keyless provider next to a remote one without its key → exit 2, naming the remote one and api-key-required=false")
    void oneOfTwoWithoutKey() throws Exception {
        String output = run("""
                fusion.providers=local,gpu
                fusion.provider.default=local
                fusion.provider.local.base-url=http://127.0.0.1:11434/v1
                fusion.provider.gpu.base-url=http://gpu-box.example.invalid:8000/v1
                fusion.provider.gpu.models=vllm/
                """);

        assertThat(output).contains("provider gpu (http://gpu-box.example.invalid:8000/v1) needs an API key and has none",
                "fusion.provider.gpu.api-key", "fusion.provider.gpu.api-key-required=false");
        assertThat(output).doesNotContain("provider local", "Exception", "\tat ");
    }
}
