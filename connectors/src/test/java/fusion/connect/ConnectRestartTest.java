package fusion.connect;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.runtime.CommittedResults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped REST (JSON) configs on a standalone worker that is stopped halfway and started again on the same offsets. */
class ConnectRestartTest {
    private static final String SOURCE = "fusion-dataset-source";
    private static final String SINK = "fusion-results-sink";

    @TempDir
    Path dir;

    @Test
    @DisplayName("a worker restarted halfway, its sink's offsets lost, a file grown and one added → every row is on the requests topic "
            + "exactly once, and the file has exactly one line per request id")
    void restartSubmitsNothingTwice() throws Exception {
        Path datasets = Files.createDirectories(dir.resolve("datasets"));
        DatasetFiles.jsonl(datasets.resolve("a.jsonl"), DatasetFiles.ids("r", 1, 10));
        DatasetFiles.csv(datasets.resolve("b.csv"), DatasetFiles.ids("s", 1, 5));
        List<String> expected = new ArrayList<>();
        expected.addAll(DatasetFiles.ids("r", 1, 15));
        expected.addAll(DatasetFiles.ids("s", 1, 5));
        expected.addAll(DatasetFiles.ids("p", 1, 10));
        Path results = dir.resolve("results.jsonl");
        Path offsets = dir.resolve("connect.offsets");

        try (RunningPipeline pipeline = RunningPipeline.start(dir.resolve("streams"))) {
            String bootstrap = pipeline.bootstrapServers();
            String requests = pipeline.topics.requests().name();
            Path source = ShippedConfig.placed(SOURCE + ".json", Map.of(DatasetSourceConfig.DIR, datasets.toString()), dir);
            Path sink = ShippedConfig.placed(SINK + ".json", Map.of(ResultsSinkConfig.FILE, results.toString()), dir);

            try (StandaloneWorker first = StandaloneWorker.start(bootstrap, offsets, source, sink)) {
                first.awaitRunning(SOURCE);
                first.awaitRunning(SINK);
                Awaitility.await("the first 15 rows submitted").atMost(Duration.ofSeconds(30))
                        .until(() -> CommittedResults.keys(bootstrap, requests).size() >= 15);
            }
            // As if the worker had died before committing its sink's offsets: the next one reads every result again.
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.deleteConsumerGroups(List.of("connect-" + SINK)).all().get();
            }
            DatasetFiles.appendJsonl(datasets.resolve("a.jsonl"), DatasetFiles.ids("r", 11, 15));

            try (StandaloneWorker second = StandaloneWorker.start(bootstrap, offsets, source, sink)) {
                second.awaitRunning(SOURCE);
                second.awaitRunning(SINK);
                DatasetFiles.parquet(datasets.resolve("c.parquet"), DatasetFiles.ids("p", 1, 10));
                Awaitility.await("30 results in the file").atMost(Duration.ofSeconds(60))
                        .until(() -> ResultsFile.lines(results).size() >= 30);
            }

            assertThat(CommittedResults.keys(bootstrap, requests)).as("the requests topic").hasSize(30)
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
        assertThat(ResultsFile.ids(results)).hasSize(30).containsExactlyInAnyOrderElementsOf(expected);
    }
}
