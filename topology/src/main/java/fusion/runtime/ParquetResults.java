package fusion.runtime;

import fusion.results.ResultJson;
import fusion.results.ResultRow;
import fusion.schema.FusionResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
 * Results as a flat Parquet table, one {@link ResultRow} a row: flat columns, nested parts as the JSON that
 * {@link ResultJson} renders for them, {@code metadata} as a map and the whole result's JSON in {@code result_json}.
 */
public final class ParquetResults implements ResultSink {
    public static final Schema SCHEMA = schema();

    private final Path file;
    private final Path partial;
    private final ParquetWriter<GenericRecord> writer;

    ParquetResults(Path file) throws IOException {
        this(file, file.resolveSibling(file.getFileName() + ".partial"));
    }

    /** Rows gather in {@code partial}, which close moves over {@code file}. */
    public ParquetResults(Path file, Path partial) throws IOException {
        this.file = file;
        this.partial = partial;
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
                .fields();
        for (ResultRow.Column c : ResultRow.COLUMNS) {
            switch (c.kind()) {
                case TEXT, JSON -> columns = c.optional() ? columns.optionalString(c.name()) : columns.requiredString(c.name());
                case MAP -> columns = columns.name(c.name()).type().map().values().stringType().noDefault();
                case INT -> columns = c.optional() ? columns.optionalInt(c.name()) : columns.requiredInt(c.name());
                case LONG -> columns = c.optional() ? columns.optionalLong(c.name()) : columns.requiredLong(c.name());
                case DOUBLE -> columns = c.optional() ? columns.optionalDouble(c.name()) : columns.requiredDouble(c.name());
            }
        }
        return columns.endRecord();
    }

    @Override
    public void write(FusionResult result) {
        GenericRecord row = new GenericData.Record(SCHEMA);
        ResultRow.of(ResultJson.toNode(result)).forEach(row::put);
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
            // On disk before it takes the file's name: a crash after the move leaves a whole file, not an empty one.
            try (FileChannel written = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                written.force(true);
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        }
    }
}
