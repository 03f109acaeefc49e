package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.results.FusionResults;
import fusion.results.ResultJson;
import fusion.schema.Analysis;
import fusion.schema.CallRecord;
import fusion.schema.FailedModel;
import fusion.schema.FusionResult;
import fusion.schema.ModelResponse;
import fusion.schema.ResultStatus;
import fusion.schema.TokenUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Results written through ResultSink.parquet and read back as any Parquet reader would. */
class ParquetResultsTest {
    @TempDir
    Path dir;

    private static FusionResult answered() {
        return FusionResult.newBuilder().setRequestId("q1").setStatus(ResultStatus.ok)
                .setAnalysis(Analysis.newBuilder().setConsensus(List.of("it is regressive before rebates"))
                        .setBlindSpots(List.of("border adjustments")).build())
                .setResponses(new ArrayList<>(List.of(new ModelResponse("a/one", "answer one"), new ModelResponse("b/two", "answer two"))))
                .setFailedModels(new ArrayList<>(List.of(new FailedModel("c/three", "rate_limited", 429, "slow down"))))
                .setJudgeModel("j/judge")
                .setCalls(new ArrayList<>(List.of(
                        call("panel", "a/one", new TokenUsage(10L, 20L, 0L, 0.002, 0L, null)),
                        call("judge", "j/judge", new TokenUsage(40L, 30L, 5L, 0.001, 0L, null)))))
                .setReceivedAt(1000).setCompletedAt(3500)
                .setMetadata(new HashMap<>(Map.of("topic", "economics", "source_row", "7")))
                .build();
    }

    /** Through the builder, so that fields added to CallRecord later keep their defaults here. */
    private static CallRecord call(String stage, String model, TokenUsage usage) {
        return CallRecord.newBuilder().setStage(stage).setModel(model).setStatusCode(200).setUsage(usage).build();
    }

    private List<GenericRecord> readBack(Path file) throws Exception {
        List<GenericRecord> rows = new ArrayList<>();
        try (ParquetReader<GenericRecord> reader = AvroParquetReader
                .<GenericRecord>builder(new LocalInputFile(file), new PlainParquetConfiguration()).build()) {
            for (GenericRecord r = reader.read(); r != null; r = reader.read()) rows.add(r);
        }
        return rows;
    }

    private static String text(GenericRecord row, String column) {
        Object v = row.get(column);
        return v == null ? null : v.toString();
    }

    @Test
    @DisplayName("parquet results have flat columns, the analysis as ResultJson renders it, metadata as a map and the whole result as JSON")
    void resultsAsParquet() throws Exception {
        Path file = dir.resolve("results.parquet");
        FusionResult ok = answered();
        FusionResult invalid = FusionResults.invalid("row-2", null, "questions.csv row 2 has no prompt", 5000);

        try (ResultSink sink = ResultSink.open(file, ResultSink.Format.PARQUET)) {
            sink.write(ok);
            sink.write(invalid);
        }

        List<GenericRecord> rows = readBack(file);
        assertThat(rows).hasSize(2);
        GenericRecord first = rows.get(0);
        var json = ResultJson.toNode(ok);
        assertThat(text(first, "request_id")).isEqualTo("q1");
        assertThat(text(first, "status")).isEqualTo("ok");
        assertThat(text(first, "analysis")).isEqualTo(json.get("analysis").toString())
                .contains("\"consensus\":[\"it is regressive before rebates\"]");
        assertThat(text(first, "responses")).isEqualTo(json.get("responses").toString());
        assertThat(text(first, "failed_models")).contains("\"reason\":\"rate_limited\"");
        assertThat(text(first, "judge_model")).isEqualTo("j/judge");
        assertThat(first.get("failure_reason")).isNull();
        assertThat(first.get("error")).isNull();
        assertThat(first.get("final_answer")).isNull();
        Map<String, String> metadata = new HashMap<>();
        ((Map<?, ?>) first.get("metadata")).forEach((k, v) -> metadata.put(k.toString(), v.toString()));
        assertThat(metadata).isEqualTo(Map.of("topic", "economics", "source_row", "7"));
        assertThat(first.get("model_calls")).isEqualTo(2);
        assertThat(first.get("prompt_tokens")).isEqualTo(50L);
        assertThat(first.get("completion_tokens")).isEqualTo(50L);
        assertThat(first.get("reasoning_tokens")).isEqualTo(5L);
        assertThat((Double) first.get("cost")).isCloseTo(0.003, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(first.get("total_ms")).isEqualTo(2500L);
        assertThat(text(first, "result_json")).isEqualTo(ResultJson.toJson(ok));

        GenericRecord second = rows.get(1);
        assertThat(text(second, "status")).isEqualTo("error");
        assertThat(text(second, "failure_reason")).isEqualTo("invalid_request");
        assertThat(text(second, "error")).isEqualTo("questions.csv row 2 has no prompt");
        assertThat(second.get("analysis")).isNull();
        assertThat(second.get("model_calls")).isNull();
        assertThat(second.get("cost")).isNull();
        assertThat(text(second, "result_json")).isEqualTo(ResultJson.toJson(invalid));
    }

    @Test
    @DisplayName("a results file's format is told by its extension: .parquet, and JSONL for anything else")
    void formatByExtension() {
        assertThat(ResultSink.Format.of(Path.of("out/results.Parquet"))).isEqualTo(ResultSink.Format.PARQUET);
        assertThat(ResultSink.Format.of(Path.of("results.jsonl"))).isEqualTo(ResultSink.Format.JSONL);
        assertThat(ResultSink.Format.of(Path.of("results.json"))).isEqualTo(ResultSink.Format.JSONL);
    }

    @Test
    @DisplayName("a parquet results file appears only when the sink closes, replacing the last one whole")
    void writtenOnClose() throws Exception {
        Path file = dir.resolve("results.parquet");
        Files.writeString(file, "an older results file");

        try (ResultSink sink = ResultSink.parquet(file)) {
            sink.write(answered());
            sink.flush();
            assertThat(Files.readString(file)).isEqualTo("an older results file");
        }

        assertThat(readBack(file)).extracting(r -> r.get("request_id").toString()).containsExactly("q1");
        assertThat(dir.resolve("results.parquet.partial")).doesNotExist();
    }

    @Test
    @DisplayName("a Parquet results file read back (as fusion rejudge and eval read RESULTS) → the same results, in the spec's JSON shape")
    void readBackAsResults() throws Exception {
        Path file = dir.resolve("results.parquet");
        FusionResult invalid = FusionResults.invalid("row-2", null, "questions.csv row 2 has no prompt", 5000);
        try (ResultSink sink = ResultSink.open(file, ResultSink.Format.PARQUET)) {
            sink.write(answered());
            sink.write(invalid);
        }

        Map<String, FusionResult> read = FinishedResults.read(file);

        assertThat(read.keySet()).containsExactly("q1", "row-2");
        assertThat(ResultJson.toJson(read.get("q1"))).isEqualTo(ResultJson.toJson(answered()));
        assertThat(ResultJson.toJson(read.get("row-2"))).isEqualTo(ResultJson.toJson(invalid));
    }
}
