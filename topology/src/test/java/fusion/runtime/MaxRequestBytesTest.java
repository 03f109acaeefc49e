package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fusion.dataset.Dataset;
import fusion.intake.FusionDefaults;
import fusion.intake.RequestDecoder;
import fusion.schema.FusionResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fusion.max-request-bytes: read from the configuration, applied to dataset rows and to topic records alike. */
class MaxRequestBytesTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("default 1 MB; fusion.max-request-bytes=300 → a larger row is answered under its id, naming its size, the limit and the setting")
    void configuredLimitForRows() throws Exception {
        assertThat(new FusionConfig(Map.of()).pipeline().requestDefaults().maxRequestBytes()).isEqualTo(1_048_576);
        FusionDefaults limits = new FusionConfig(Map.of("fusion.max-request-bytes", "300")).pipeline().requestDefaults();
        Path file = dir.resolve("rows.jsonl");
        Files.writeString(file, "{\"id\":\"small\",\"prompt\":\"q\"}\n{\"id\":\"big\",\"prompt\":\"" + "x".repeat(400) + "\"}\n");
        List<FusionResult> answered = new ArrayList<>();

        Map<String, DatasetRows.Row> rows = DatasetRows.read(Dataset.of(file), null, limits, answered);

        assertThat(rows).containsOnlyKeys("small");
        assertThat(answered).singleElement().satisfies(r -> {
            assertThat(r.getRequestId()).isEqualTo("big");
            assertThat(r.getFailureReason()).isEqualTo("invalid_request");
            assertThat(r.getError()).startsWith("rows.jsonl line 2: the request is ").contains("over the limit of 300 bytes", "raise fusion.max-request-bytes");
        });
    }

    @Test
    @DisplayName("a topic record over the limit → invalid_request under its id, not a request passed on")
    void configuredLimitForRecords() {
        FusionDefaults limits = new FusionConfig(Map.of("fusion.max-request-bytes", "300")).pipeline().requestDefaults();
        byte[] big = ("{\"request_id\":\"big\",\"prompt\":\"" + "x".repeat(400) + "\"}").getBytes(StandardCharsets.UTF_8);

        RequestDecoder.Decoded decoded = new RequestDecoder(limits).decode("big", big);

        assertThat(decoded).isInstanceOfSatisfying(RequestDecoder.Malformed.class, m -> {
            assertThat(m.requestId()).isEqualTo("big");
            assertThat(m.error()).contains("over the limit of 300 bytes");
        });
    }

    @Test
    @DisplayName("fusion.max-request-bytes=0 or text → a configuration error naming the setting")
    void badSetting() {
        assertThatThrownBy(() -> new FusionConfig(Map.of("fusion.max-request-bytes", "0")).pipeline())
                .hasMessageContaining("fusion.max-request-bytes is 0");
        assertThatThrownBy(() -> new FusionConfig(Map.of("fusion.max-request-bytes", "1MB")).pipeline())
                .hasMessageContaining("fusion.max-request-bytes is '1MB'; it must be a whole number");
    }
}
