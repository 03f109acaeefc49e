package fusion.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fusion.results.FusionResults;
import fusion.results.ResultJson;
import fusion.schema.FusionResult;
import fusion.topology.ResultSerde;
import fusion.topology.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
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
        ResultsSinkTask task = new ResultsSinkTask();
        task.start(Map.of(ResultsSinkConfig.FILE, file.toString()));
        return task;
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
}
