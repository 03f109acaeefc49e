package fusion.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import fusion.dataset.Dataset;
import fusion.runtime.CommittedResults;
import fusion.runtime.DatasetRows;
import fusion.runtime.Submitter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped source and sink configs on a standalone worker whose defaults are JsonConverter, with the pipeline
 * (simulated models) between them: a directory of datasets in, a results file out.
 */
class ConnectPipelineTest {
    private static final String SOURCE = "fusion-dataset-source";
    private static final String SINK = "fusion-results-sink";

    @TempDir
    Path dir;

    @Test
    @DisplayName("30 rows in JSONL, CSV and Parquet, one of them no JSON → source → pipeline → sink: exactly 30 lines, one per request id, "
            + "the bad row an invalid_request error naming its file and line")
    void thirtyRowsThirtyLines() throws Exception {
        Path datasets = Files.createDirectories(dir.resolve("datasets"));
        List<String> jsonl = new ArrayList<>(DatasetFiles.ids("j", 1, 11).stream().map(DatasetFiles::jsonLine).toList());
        jsonl.add(5, "Compare A and B, this line is no JSON");                                     // line 6
        Files.write(datasets.resolve("a.jsonl"), jsonl);
        DatasetFiles.csv(datasets.resolve("b.csv"), DatasetFiles.ids("c", 1, 10));
        DatasetFiles.parquet(datasets.resolve("c.parquet"), DatasetFiles.ids("p", 1, 8));
        Set<String> expected = new HashSet<>();
        expected.addAll(DatasetFiles.ids("j", 1, 11));
        expected.addAll(DatasetFiles.ids("c", 1, 10));
        expected.addAll(DatasetFiles.ids("p", 1, 8));
        expected.add("a.jsonl:line-6");
        Path results = dir.resolve("out").resolve("results.jsonl");

        List<ConsumerRecord<String, byte[]>> requests;
        try (RunningPipeline pipeline = RunningPipeline.start(dir.resolve("streams"))) {
            Path source = ShippedConfig.placed(SOURCE + ".properties", Map.of(DatasetSourceConfig.DIR, datasets.toString()), dir);
            Path sink = ShippedConfig.placed(SINK + ".properties", Map.of(ResultsSinkConfig.FILE, results.toString()), dir);
            try (StandaloneWorker worker = StandaloneWorker.start(pipeline.bootstrapServers(), dir.resolve("connect.offsets"), source, sink)) {
                worker.awaitRunning(SOURCE);
                worker.awaitRunning(SINK);
                Awaitility.await("30 results in the file").atMost(Duration.ofSeconds(90))
                        .until(() -> ResultsFile.lines(results).size() >= 30);
            }
            requests = CommittedResults.records(pipeline.bootstrapServers(), pipeline.topics.requests().name());

            // What fusion submit would have produced for the same files, with the same batch id
            Map<String, byte[]> submitted = new HashMap<>();
            for (String file : List.of("a.jsonl", "b.csv", "c.parquet")) {
                DatasetRows.read(Dataset.of(datasets.resolve(file)), SOURCE, new ArrayList<>())
                        .forEach((id, row) -> submitted.put(id, Submitter.onTheWire(pipeline.topics.requests(), row)));
            }
            assertThat(requests).as("one request per readable row").hasSize(29);
            for (ConsumerRecord<String, byte[]> r : requests) {
                assertThat(r.value()).as("%s: the bytes fusion submit produces", r.key()).isEqualTo(submitted.get(r.key()));
            }
        }

        List<JsonNode> lines = ResultsFile.lines(results);
        assertThat(lines).hasSize(30);
        assertThat(ResultsFile.ids(results)).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        for (JsonNode line : lines) {
            String id = line.get("request_id").asText();
            assertThat(line.path("metadata").path("batch_id").asText()).as("%s: batch id", id).isEqualTo(SOURCE);
            if (id.equals("a.jsonl:line-6")) {
                assertThat(line.get("status").asText()).isEqualTo("error");
                assertThat(line.get("failure_reason").asText()).isEqualTo("invalid_request");
                assertThat(line.get("error").asText()).contains("a.jsonl line 6");
                continue;
            }
            assertThat(line.get("status").asText()).as("%s: status", id).isEqualTo("ok");
            String column = switch (id.charAt(0)) {
                case 'j' -> "source";
                default -> "topic";
            };
            String value = switch (id.charAt(0)) {
                case 'j' -> "jsonl";
                case 'c' -> "economics";
                default -> "parquet";
            };
            assertThat(line.path("metadata").path(column).asText()).as("%s: metadata column %s", id, column).isEqualTo(value);
        }
        JsonNode csvRow = lines.stream().filter(l -> l.get("request_id").asText().equals("c1")).findFirst().orElseThrow();
        assertThat(csvRow.get("responses")).extracting(r -> r.get("model").asText()).containsExactly("sim/alpha", "sim/gamma");
    }
}
