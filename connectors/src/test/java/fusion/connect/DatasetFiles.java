package fusion.connect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;

/** Dataset files as users write them: JSONL lines, a CSV table with a header, a Parquet table. Ids are {@code <prefix><n>}. */
final class DatasetFiles {
    private static final Schema PARQUET_ROWS = SchemaBuilder.record("question").fields()
            .requiredString("id").requiredString("prompt").requiredString("topic").endRecord();

    private DatasetFiles() {}

    static String jsonLine(String id) {
        return "{\"id\":\"" + id + "\",\"prompt\":\"Compare approach A and approach B (" + id + ")\","
                + "\"analysis_models\":[\"sim/alpha\",\"sim/beta\"],\"model\":\"sim/judge\",\"metadata\":{\"source\":\"jsonl\"}}";
    }

    static List<String> ids(String prefix, int from, int to) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i <= to; i++) ids.add(prefix + i);
        return ids;
    }

    static void jsonl(Path file, List<String> ids) throws IOException {
        Files.write(file, ids.stream().map(DatasetFiles::jsonLine).toList());
    }

    static void appendJsonl(Path file, List<String> ids) throws IOException {
        Files.write(file, ids.stream().map(DatasetFiles::jsonLine).toList(), StandardOpenOption.APPEND);
    }

    /** A table in fusion run's CSV mapping: the panel as a list cell, the topic column to metadata. */
    static void csv(Path file, List<String> ids) throws IOException {
        List<String> lines = new ArrayList<>(List.of("id,prompt,analysis_models,topic"));
        for (String id : ids) lines.add(id + ",\"Which is faster, A or B? (" + id + ")\",sim/alpha;sim/gamma,economics");
        Files.write(file, lines);
    }

    /** Written beside, then moved in, as a file should arrive in a watched directory. */
    static void parquet(Path file, List<String> ids) throws IOException {
        Path beside = file.resolveSibling("." + file.getFileName());
        try (ParquetWriter<GenericRecord> writer = AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(beside))
                .withSchema(PARQUET_ROWS).withConf(new PlainParquetConfiguration()).build()) {
            for (String id : ids) {
                GenericRecord r = new GenericData.Record(PARQUET_ROWS);
                r.put("id", id);
                r.put("prompt", "Is C better than D? (" + id + ")");
                r.put("topic", "parquet");
                writer.write(r);
            }
        }
        Files.move(beside, file, StandardCopyOption.ATOMIC_MOVE);
    }
}
