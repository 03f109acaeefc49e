package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import fusion.topology.PipelineSettings;
import fusion.topology.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The results file lists results in the dataset's row order, whatever order they complete or are read back in. */
class ResultOrderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 40;

    @TempDir
    Path dir;

    @Test
    @DisplayName("JSONL and Parquet, first run and rerun: results in input order, an unreadable row's answer at its own row; no spool left")
    void inputOrder() throws Exception {
        Path input = dir.resolve("questions.jsonl");
        List<String> lines = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            // ids that sort unlike the rows, so no order of ids could pass for the input's
            String id = "q" + (i * 17 % ROWS);
            lines.add("{\"id\":\"" + id + "\",\"prompt\":\"Question " + i + ": compare A and B\"}");
            expected.add(id);
            if (i == ROWS / 2) {
                lines.add("{\"id\":\"no-prompt\"}");
                expected.add("no-prompt");
            }
        }
        Files.write(input, lines);
        Path jsonl = dir.resolve("results.jsonl");
        Path parquet = dir.resolve("results.parquet");

        // ±40 ms around 50: calls complete out of order
        try (KafkaClusterTestKit kafka = KafkaTestCluster.start();
             Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of("fusion.simulator.latency-ms", "50",
                     "fusion.simulator.jitter-ms", "40")));
             OpenAiChatClient client = new OpenAiChatClient(ProviderRoutes.single("simulator", simulator.baseUrl(), null), Duration.ofSeconds(30))) {
            Topics topics = Topics.withDefaultPrefix();
            var settings = FusionApp.Settings.embedded(kafka.bootstrapServers(), dir.resolve("streams"));
            try (FusionApp app = FusionApp.start(settings, topics, PipelineSettings.defaults(), client, new fusion.calls.CallCapacity(256, 64))) {
                BulkRun run = new BulkRun(kafka.bootstrapServers(), topics, new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8), Duration.ofSeconds(1));

                run.run(input, jsonl);
                List<String> first = jsonlIds(jsonl);
                // the rerun and the Parquet run read every result back from the topic, which holds them by partition
                run.run(input, parquet);
                run.run(input, jsonl);
                List<String> rerun = jsonlIds(jsonl);

                assertThat(first).containsExactlyElementsOf(expected);
                assertThat(parquetIds(parquet)).containsExactlyElementsOf(expected);
                assertThat(rerun).containsExactlyElementsOf(expected);
                List<String> onTopic = new ArrayList<>();
                TopicSnapshot.read(Map.of("bootstrap.servers", kafka.bootstrapServers()), topics.results(), (k, v) -> onTopic.add(k));
                assertThat(onTopic).as("the topic's own order is another").isNotEqualTo(expected.stream().filter(id -> !id.equals("no-prompt")).toList());
            }
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".arriving") || name.endsWith(".ordered")
                    || name.endsWith(".partial"));
        }
    }

    private static List<String> jsonlIds(Path file) throws Exception {
        List<String> ids = new ArrayList<>();
        for (String line : Files.readAllLines(file)) ids.add(JSON.readTree(line).get("request_id").asText());
        return ids;
    }

    private static List<String> parquetIds(Path file) throws Exception {
        List<String> ids = new ArrayList<>();
        try (ParquetReader<GenericRecord> reader = AvroParquetReader
                .<GenericRecord>builder(new LocalInputFile(file), new PlainParquetConfiguration()).build()) {
            for (GenericRecord r = reader.read(); r != null; r = reader.read()) ids.add(r.get("request_id").toString());
        }
        return ids;
    }
}
