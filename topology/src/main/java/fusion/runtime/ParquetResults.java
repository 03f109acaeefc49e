package fusion.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.results.ResultJson;
import fusion.schema.FusionResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

/**
 * Results as a flat Parquet table: the fields an analyst filters and sums on as columns, nested
 * parts as the JSON that {@link ResultJson} renders for them, and the whole result's JSON in
 * {@code result_json}, so nothing is lost. Every column is taken from that one rendering.
 */
final class ParquetResults implements ResultSink {
    /** Text columns, as the result's JSON has them; null where it leaves them out. */
    private static final List<String> TEXT = List.of("failure_reason", "error", "judge_model", "final_model", "final_answer");
    /** Nested parts as JSON text; null where the result's JSON leaves them out. */
    private static final List<String> NESTED = List.of("analysis", "responses", "failed_models", "judge_failure", "sources");
    /** usage.total's counts, summed over every model call; null when the request made none. */
    private static final List<String> TOKENS = List.of("prompt_tokens", "completion_tokens", "reasoning_tokens");

    static final Schema SCHEMA = schema();

    private final Path file;
    private final Path partial;
    private final ParquetWriter<GenericRecord> writer;

    ParquetResults(Path file) throws IOException {
        this.file = file;
        this.partial = file.resolveSibling(file.getFileName() + ".partial");
        this.writer = AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(partial))
                .withSchema(SCHEMA)
                .withConf(new PlainParquetConfiguration())
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .build();
    }

    private static Schema schema() {
        SchemaBuilder.FieldAssembler<Schema> columns = SchemaBuilder.record("FusionResultRow").namespace("fusion.results")
                .doc("one fusion result; result_json is the whole result in the spec's JSON shape")
                .fields().requiredString("request_id").requiredString("status");
        TEXT.forEach(columns::optionalString);
        NESTED.forEach(columns::optionalString);
        columns.name("metadata").type().map().values().stringType().noDefault();
        columns.optionalInt("model_calls");
        TOKENS.forEach(columns::optionalLong);
        columns.optionalDouble("cost");
        columns.requiredLong("total_ms");
        return columns.requiredString("result_json").endRecord();
    }

    @Override
    public void write(FusionResult result) {
        ObjectNode json = ResultJson.toNode(result);
        GenericRecord row = new GenericData.Record(SCHEMA);
        row.put("request_id", result.getRequestId());
        row.put("status", result.getStatus().name());
        TEXT.forEach(column -> row.put(column, json.hasNonNull(column) ? json.get(column).asText() : null));
        NESTED.forEach(column -> row.put(column, json.hasNonNull(column) ? json.get(column).toString() : null));
        row.put("metadata", new TreeMap<>(result.getMetadata()));
        JsonNode total = json.path("usage").path("total");
        row.put("model_calls", total.isMissingNode() ? null : total.get("calls").asInt());
        TOKENS.forEach(column -> row.put(column, total.isMissingNode() ? null : total.get(column).asLong()));
        row.put("cost", total.hasNonNull("cost") ? total.get("cost").asDouble() : null);
        row.put("total_ms", json.path("timings").path("total_ms").asLong());
        row.put("result_json", json.toString());
        try {
            writer.write(row);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results to " + partial, e);
        }
    }

    /** Parquet is readable only once closed; nothing to do here. */
    @Override
    public void flush() {}

    @Override
    public void close() {
        try {
            writer.close();
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        }
    }
}
