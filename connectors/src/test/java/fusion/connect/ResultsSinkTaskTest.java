package fusion.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fusion.results.FusionResults;
import fusion.results.ResultJson;
import fusion.runtime.ParquetResults;
import fusion.runtime.ResultSink;
import fusion.schema.FusionResult;
import fusion.topology.ResultSerde;
import fusion.topology.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink task on its own, fed records as the worker hands them over. */
class ResultsSinkTaskTest {
    @TempDir
    Path dir;

    private static byte[] result(String id) {
        return Topics.RESULT.encode(FusionResults.invalid(id, null, "no prompt in " + id, 1_000L));
    }

    private static SinkRecord record(long offset, String id, Object value) {
        return new SinkRecord("fusion.results", 0, Schema.STRING_SCHEMA, id, Schema.BYTES_SCHEMA, value, offset);
    }

    private ResultsSinkTask started(Path file) {
        return started(Map.of(ResultsSinkConfig.FILE, file.toString()));
    }

    private ResultsSinkTask started(Map<String, String> config) {
        ResultsSinkTask task = new ResultsSinkTask();
        task.start(config);
        return task;
    }

    private static List<SinkRecord> records(List<String> ids) {
        List<SinkRecord> out = new java.util.ArrayList<>();
        for (String id : ids) out.add(record(out.size(), id, result(id)));
        return out;
    }

    private static List<String> fileNames(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    @DisplayName("a file with results and a last line cut short by a crash → the cut line goes; ids already in the file are not written again, "
            + "the others once each")
    void restartOnAFileCutShort() throws Exception {
        Path file = dir.resolve("results.jsonl");
        String x1 = ResultJson.toJson(Topics.RESULT.decode(result("x1")));
        String x2 = ResultJson.toJson(Topics.RESULT.decode(result("x2")));
        Files.writeString(file, x1 + "\n" + x2.substring(0, x2.length() / 2), StandardCharsets.UTF_8);

        ResultsSinkTask task = started(file);
        task.put(List.of(record(0, "x1", result("x1")), record(1, "x2", result("x2")), record(2, "x3", result("x3")),
                record(3, "x3", result("x3")), record(4, "x4", null)));
        task.flush(Map.of());
        task.stop();

        assertThat(ResultsFile.ids(file)).containsExactly("x1", "x2", "x3");
        assertThat(Files.readString(file)).endsWith("\n");
    }

    @Test
    @DisplayName("results read again by a new task (a restart, a rebalance) → each id stays one line")
    void readAgainByANewTask() throws Exception {
        Path file = dir.resolve("out").resolve("results.jsonl");
        ResultsSinkTask first = started(file);
        first.put(List.of(record(0, "a", result("a")), record(1, "b", result("b"))));
        first.flush(Map.of());
        first.stop();
        ResultsSinkTask second = started(file);
        second.put(List.of(record(0, "a", result("a")), record(1, "b", result("b")), record(2, "c", result("c"))));
        second.stop();

        assertThat(ResultsFile.ids(file)).containsExactly("a", "b", "c");
    }

    @Test
    @DisplayName("a result written as JSON (fusion.results.format=json) with its call ledger header → the same line as its Avro record gives")
    void jsonResultWithItsLedger() throws Exception {
        FusionResult answered = PipelineRecords.results().get(PipelineRecords.ANSWERED);
        ConnectHeaders headers = new ConnectHeaders();
        headers.addBytes(ResultSerde.CALLS_HEADER, ResultJson.ledger(answered.getCalls()));
        byte[] line = ResultJson.toJson(answered).getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("results.jsonl");

        ResultsSinkTask task = started(file);
        task.put(List.of(new SinkRecord("fusion.results", 0, Schema.STRING_SCHEMA, answered.getRequestId(), Schema.BYTES_SCHEMA, line, 0,
                null, org.apache.kafka.common.record.TimestampType.NO_TIMESTAMP_TYPE, headers)));
        task.stop();

        assertThat(Files.readAllLines(file)).containsExactly(ResultJson.toJson(answered));
    }

    @Test
    @DisplayName("a value that is no result, with no dead letter queue set → the task stops, naming the record")
    void noResult() {
        ResultsSinkTask task = started(dir.resolve("results.jsonl"));
        assertThatThrownBy(() -> task.put(List.of(record(7, "k", "not a result".getBytes(StandardCharsets.UTF_8)))))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("fusion.results-0@7 is no result");
        task.stop();
    }

    @Test
    @DisplayName("values converted by another converter than ByteArrayConverter → the message says which to set")
    void notBytes() {
        ResultsSinkTask task = started(dir.resolve("results.jsonl"));
        assertThatThrownBy(() -> task.put(List.of(record(0, "k", Map.of("request_id", "k")))))
                .hasMessageContaining("value.converter=org.apache.kafka.connect.converters.ByteArrayConverter");
        task.stop();
    }

    @Test
    @DisplayName("a .parquet results path → a dataset directory: nothing readable until a flush, which writes the results put so far "
            + "as part-00000.parquet, with no unfinished part left beside it")
    void parquetFlushWritesAPart() throws Exception {
        Path dataset = dir.resolve("out").resolve("results.parquet");
        ResultsSinkTask task = started(dataset);
        task.put(records(List.of("a", "b", "a")));
        assertThat(ResultsFile.parts(dataset)).as("before the flush").isEmpty();

        task.flush(Map.of());
        assertThat(fileNames(dataset)).containsExactly("part-00000.parquet");
        assertThat(ResultsFile.ids(dataset)).containsExactly("a", "b");

        task.put(records(List.of("b", "c")));
        task.stop();
        assertThat(fileNames(dataset)).containsExactly("part-00000.parquet", "part-00001.parquet");
        assertThat(ResultsFile.ids(dataset)).containsExactly("a", "b", "c");
    }

    @Test
    @DisplayName("a Parquet part has the columns and values fusion run --out x.parquet writes for the same results")
    void parquetColumnsAsFusionRunWrites() throws Exception {
        List<FusionResult> results = List.of(PipelineRecords.result(PipelineRecords.ANSWERED), PipelineRecords.result(PipelineRecords.SYNTHESIZED),
                PipelineRecords.result(PipelineRecords.JUDGE_FAILED), Topics.RESULT.decode(result("bad-row")));
        Path byFusionRun = dir.resolve("run.parquet");
        try (ResultSink run = ResultSink.open(byFusionRun, ResultSink.Format.PARQUET)) {
            results.forEach(run::write);
        }
        Path dataset = dir.resolve("results.parquet");
        ResultsSinkTask task = started(dataset);
        List<SinkRecord> records = new java.util.ArrayList<>();
        for (FusionResult r : results) records.add(record(records.size(), r.getRequestId(), Topics.RESULT.encode(r)));
        task.put(records);
        task.stop();

        List<GenericRecord> expected = ResultsFile.rows(byFusionRun);
        List<GenericRecord> rows = ResultsFile.rows(ResultsFile.parts(dataset).get(0));
        assertThat(rows.get(0).getSchema()).isEqualTo(expected.get(0).getSchema()).isEqualTo(ParquetResults.SCHEMA);
        assertThat(rows).hasSize(4).isEqualTo(expected);
        assertThat(rows.get(0).get("request_id").toString()).isEqualTo(PipelineRecords.ANSWERED);
        assertThat(rows.get(0).get("result_json").toString()).isEqualTo(ResultJson.toJson(results.get(0)));
        assertThat(rows.get(3).get("failure_reason").toString()).isEqualTo("invalid_request");
    }

    @Test
    @DisplayName("results read again by a task started on an existing dataset (a restart, a rebalance) → no id in two parts; "
            + "the new ones go to a new part")
    void parquetReadAgainByANewTask() throws Exception {
        Path dataset = dir.resolve("results.parquet");
        ResultsSinkTask first = started(dataset);
        first.put(records(List.of("a", "b")));
        first.flush(Map.of());
        first.stop();
        ResultsSinkTask second = started(dataset);
        second.put(records(List.of("a", "b", "c")));
        second.flush(Map.of());
        second.put(records(List.of("a", "b", "c")));
        second.stop();

        assertThat(ResultsFile.ids(dataset)).containsExactly("a", "b", "c");
        assertThat(ResultsFile.parts(dataset)).extracting(p -> p.getFileName().toString()).containsExactly("part-00000.parquet", "part-00001.parquet");
        assertThat(ResultsFile.ids(ResultsFile.parts(dataset).get(1))).as("the new part").containsExactly("c");
    }

    @Test
    @DisplayName("a part a crash left unfinished (.part-NNNNN.parquet.tmp) → removed at start, its results written again, "
            + "the finished part's ids not again")
    void parquetUnfinishedPartLeftOver() throws Exception {
        Path dataset = dir.resolve("results.parquet");
        ResultsSinkTask first = started(dataset);
        first.put(records(List.of("a", "b")));
        first.stop();
        Files.writeString(dataset.resolve(".part-00001.parquet.tmp"), "PAR1 and a row group with no footer");

        ResultsSinkTask second = started(dataset);
        assertThat(fileNames(dataset)).containsExactly("part-00000.parquet");
        second.put(records(List.of("a", "b", "c", "d")));
        second.stop();

        assertThat(fileNames(dataset)).containsExactly("part-00000.parquet", "part-00001.parquet");
        assertThat(ResultsFile.ids(dataset)).containsExactly("a", "b", "c", "d");
    }

    @Test
    @DisplayName("fusion.results.parquet.max-rows-per-file=2 → 5 results between two flushes make parts of 2, 2 and 1 rows")
    void parquetPartsBounded() throws Exception {
        Path dataset = dir.resolve("results.parquet");
        ResultsSinkTask task = started(Map.of(ResultsSinkConfig.FILE, dataset.toString(), ResultsSinkConfig.PARQUET_MAX_ROWS, "2"));
        task.put(records(List.of("a", "b", "c", "d", "e")));
        assertThat(ResultsFile.parts(dataset)).as("full parts, before the flush").hasSize(2);
        task.flush(Map.of());
        task.stop();

        assertThat(ResultsFile.parts(dataset)).extracting(p -> ResultsFile.rows(p).size()).containsExactly(2, 2, 1);
        assertThat(ResultsFile.ids(dataset)).containsExactly("a", "b", "c", "d", "e");
    }

    @Test
    @DisplayName("a .parquet results path that is a file (fusion run's) → the task does not start; the message says to point at a new path")
    void parquetPathIsAFile() throws Exception {
        Path file = dir.resolve("results.parquet");
        try (ResultSink run = ResultSink.parquet(file)) {
            run.write(Topics.RESULT.decode(result("a")));
        }
        assertThatThrownBy(() -> started(file)).isInstanceOf(ConnectException.class)
                .hasMessageContaining(ResultsSinkConfig.FILE).hasMessageContaining("point the setting at a new path");
    }

    @Test
    @DisplayName("a flush that cannot write its part (the dataset directory removed) → the flush fails, so no offsets commit, and the "
            + "task takes no more results (those handed over again would be skipped as written) until it is restarted")
    void failedWriteStopsTheTask() throws Exception {
        Path dataset = dir.resolve("results.parquet");
        ResultsSinkTask task = started(dataset);
        task.put(records(List.of("a", "b")));
        try (var files = Files.list(dataset)) {
            for (Path f : files.toList()) Files.delete(f);
        }
        Files.delete(dataset);

        assertThatThrownBy(() -> task.flush(Map.of())).isInstanceOf(ConnectException.class).hasMessageContaining(dataset.toString());
        assertThatThrownBy(() -> task.put(records(List.of("a", "b")))).isInstanceOf(ConnectException.class)
                .hasMessageContaining("restart the task");
        task.stop();

        ResultsSinkTask restarted = started(dataset);
        restarted.put(records(List.of("a", "b")));
        restarted.stop();
        assertThat(ResultsFile.ids(dataset)).containsExactly("a", "b");
    }
}
