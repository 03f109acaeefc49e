package fusion.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.runtime.ResultSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;

/** The results sink's file line by line, or its Parquet dataset (a name ending in .parquet) part by part, row by row. */
final class ResultsFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResultsFile() {}

    /** Its complete lines, or its finished parts' rows as their result_json: one being written while the sink runs is not one yet. */
    static List<JsonNode> lines(Path file) {
        if (!Files.exists(file)) return List.of();
        try {
            List<JsonNode> out = new ArrayList<>();
            if (ResultSink.Format.of(file) == ResultSink.Format.PARQUET) {
                for (GenericRecord row : rows(file)) out.add(JSON.readTree(row.get("result_json").toString()));
                return out;
            }
            String text = Files.readString(file);
            String complete = text.substring(0, text.lastIndexOf('\n') + 1);
            for (String line : complete.lines().toList()) out.add(JSON.readTree(line));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> ids(Path file) {
        return lines(file).stream().map(l -> l.get("request_id").asText()).toList();
    }

    /** A Parquet dataset's finished parts, by name: what pyarrow or Spark would read. */
    static List<Path> parts(Path dataset) {
        if (!Files.isDirectory(dataset)) return List.of();
        try (Stream<Path> files = Files.list(dataset)) {
            return files.filter(f -> f.getFileName().toString().matches("part-\\d+\\.parquet")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The rows of a part, read as any Parquet reader would. */
    static List<GenericRecord> rows(Path part) {
        if (Files.isDirectory(part)) {
            List<GenericRecord> all = new ArrayList<>();
            for (Path p : parts(part)) all.addAll(rows(p));
            return all;
        }
        List<GenericRecord> rows = new ArrayList<>();
        try (ParquetReader<GenericRecord> reader = AvroParquetReader
                .<GenericRecord>builder(new LocalInputFile(part), new PlainParquetConfiguration()).build()) {
            for (GenericRecord r = reader.read(); r != null; r = reader.read()) rows.add(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }
}
