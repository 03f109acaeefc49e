package fusion.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.dataset.DatasetException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;

/**
 * A results file as {@code fusion run --out} or {@code fusion collect} wrote it, read back as one JSON
 * result per request: JSONL line by line, Parquet from its {@code result_json} column. Parquet is told
 * by its magic bytes, not by the file's name.
 */
public final class SavedResults {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PARQUET_MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

    private SavedResults() {}

    public static List<JsonNode> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException("RESULTS " + file + " does not exist or is not a file; pass the file that fusion run --out wrote");
        }
        return isParquet(file) ? parquet(file) : jsonl(file);
    }

    private static boolean isParquet(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(PARQUET_MAGIC.length);
            return java.util.Arrays.equals(head, PARQUET_MAGIC);
        }
    }

    private static List<JsonNode> jsonl(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                out.add(result(line, file + " line " + n));
            }
        }
        return out;
    }

    private static List<JsonNode> parquet(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (ParquetReader<GenericRecord> table = AvroParquetReader
                .<GenericRecord>builder(new LocalInputFile(file), new PlainParquetConfiguration()).build()) {
            GenericRecord row;
            int n = 0;
            while ((row = table.read()) != null) {
                n++;
                if (row.getSchema().getField("result_json") == null) {
                    throw new DatasetException(file + " is a Parquet file without a result_json column, so not a results file of fusion run");
                }
                Object json = row.get("result_json");
                out.add(result(json instanceof Utf8 || json instanceof CharSequence ? json.toString() : "", file + " row " + n));
            }
        }
        return out;
    }

    private static JsonNode result(String text, String where) throws DatasetException {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new DatasetException(where + " is not JSON (" + e.getOriginalMessage() + "); a results file has one result object per line");
        }
        if (node == null || !node.isObject() || !node.path("request_id").isTextual() || !node.path("status").isTextual()) {
            throw new DatasetException(where + " is not a fusion result: it needs a request_id and a status");
        }
        return node;
    }
}
