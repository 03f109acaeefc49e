package fusion.connect;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.topology.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source task on its own, polled as the worker polls it, its committed offsets those a worker would hand it. */
class DatasetSourceTaskTest {
    @TempDir
    Path dir;

    /** What the worker's offset store holds: file → last committed row. */
    private final Map<Map<String, ?>, Map<String, Object>> committed = new HashMap<>();

    private DatasetSourceTask started(Map<String, String> extra) {
        Map<String, String> props = new HashMap<>(Map.of(DatasetSourceConfig.DIR, dir.toString(), DatasetSourceConfig.POLL_MS, "10",
                "name", "questions"));
        props.putAll(extra);
        DatasetSourceTask task = new DatasetSourceTask();
        task.initialize(new SourceTaskContext() {
            @Override
            public Map<String, String> configs() {
                return props;
            }

            @Override
            public org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
                return null; // the task keeps no metrics
            }

            @Override
            public OffsetStorageReader offsetStorageReader() {
                return new OffsetStorageReader() {
                    @Override
                    @SuppressWarnings("unchecked")
                    public <T> Map<String, Object> offset(Map<String, T> partition) {
                        return committed.get(partition);
                    }

                    @Override
                    public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                        Map<Map<String, T>, Map<String, Object>> out = new HashMap<>();
                        partitions.forEach(p -> out.put(p, committed.get(p)));
                        return out;
                    }
                };
            }
        });
        task.start(props);
        return task;
    }

    /** Polls through a few looks at the directory, as the worker does, and keeps what was handed over. */
    private static List<SourceRecord> polled(DatasetSourceTask task) throws InterruptedException {
        List<SourceRecord> records = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            List<SourceRecord> batch = task.poll();
            if (batch != null) records.addAll(batch);
        }
        return records;
    }

    private static List<String> keys(List<SourceRecord> records) {
        return records.stream().map(r -> (String) r.key()).toList();
    }

    @Test
    @DisplayName("rows up to the committed offset of their file are not handed over again; the rest are, offsets saying file and row")
    void committedRowsAreSkipped() throws Exception {
        DatasetFiles.jsonl(dir.resolve("a.jsonl"), DatasetFiles.ids("a", 1, 5));
        DatasetFiles.csv(dir.resolve("b.csv"), DatasetFiles.ids("b", 1, 3));
        committed.put(Map.of("file", "a.jsonl"), Map.of("row", 3L));
        DatasetSourceTask task = started(Map.of());
        List<SourceRecord> records = polled(task);
        task.stop();

        assertThat(keys(records)).containsExactly("a4", "a5", "b1", "b2", "b3");
        assertThat(records.get(0).sourcePartition()).isEqualTo(Map.of("file", "a.jsonl"));
        assertThat(records.get(0).sourceOffset()).isEqualTo(Map.of("row", 4L));
        assertThat(records).allMatch(r -> r.topic().equals("fusion.requests"));
        assertThat(Topics.REQUEST.decode((byte[]) records.get(0).value()).getMetadata()).containsEntry("batch_id", "questions");
    }

    @Test
    @DisplayName("hidden, .tmp and .partial files are left alone; a table without the prompt's column is skipped and the other files read")
    void filesThatAreNotReady() throws Exception {
        DatasetFiles.jsonl(dir.resolve(".hidden.jsonl"), List.of("h1"));
        DatasetFiles.jsonl(dir.resolve("copying.jsonl.tmp"), List.of("t1"));
        DatasetFiles.jsonl(dir.resolve("copying.jsonl.partial"), List.of("t2"));
        Files.write(dir.resolve("no-prompt.csv"), List.of("id,question", "n1,what?"));
        DatasetFiles.jsonl(dir.resolve("ready.jsonl"), List.of("r1"));
        DatasetSourceTask task = started(Map.of());
        List<SourceRecord> records = polled(task);
        task.stop();

        assertThat(keys(records)).containsExactly("r1");
    }

    @Test
    @DisplayName("a repeated id with other content → its duplicate_request_id result goes to the results topic under <file>:..., "
            + "as fusion run answers it")
    void answeredRowsGoToResults() throws Exception {
        Files.write(dir.resolve("a.jsonl"), List.of(DatasetFiles.jsonLine("x"), "{\"id\":\"x\",\"prompt\":\"another question\"}"));
        DatasetSourceTask task = started(Map.of(DatasetSourceConfig.BATCH_ID, "b-7"));
        List<SourceRecord> records = polled(task);
        task.stop();

        assertThat(records).hasSize(2);
        SourceRecord answered = records.get(1);
        assertThat(answered.topic()).isEqualTo("fusion.results");
        assertThat(answered.key()).isEqualTo("x~dup-a.jsonl:line-2");
        var result = Topics.RESULT.decode((byte[]) answered.value());
        assertThat(result.getRequestId()).isEqualTo("x~dup-a.jsonl:line-2");
        assertThat(result.getFailureReason()).isEqualTo("duplicate_request_id");
        assertThat(result.getMetadata()).containsEntry("batch_id", "b-7");
        assertThat(answered.sourceOffset()).isEqualTo(Map.of("row", 2L));
    }

    @Test
    @DisplayName("with three tasks every file is read by exactly one of them")
    void tasksShareTheFiles() throws Exception {
        for (int f = 0; f < 9; f++) DatasetFiles.jsonl(dir.resolve("f" + f + ".jsonl"), List.of("f" + f));
        List<String> all = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            DatasetSourceTask task = started(Map.of(DatasetSourceConfig.TASK_INDEX, Integer.toString(t), DatasetSourceConfig.TASK_COUNT, "3"));
            all.addAll(keys(polled(task)));
            task.stop();
        }
        assertThat(all).containsExactlyInAnyOrderElementsOf(DatasetFiles.ids("f", 0, 8));
    }
}
