package fusion.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;

/**
 * A Parquet table, read through parquet-avro as generic records from a local file (no Hadoop file
 * system). Columns keep their types: a list column of model ids is a list, a number a number;
 * dates, timestamps and decimals reach metadata as ISO text and plain numbers.
 */
final class ParquetDataset implements DatasetReader {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /**
     * A list as pyarrow, DuckDB and Spark write it (list / element) is a list of its elements, not of
     * one-field records. Files parquet-avro wrote carry their Avro schema and read the same either way.
     */
    private static final Map<String, String> STANDARD_LISTS = Map.of(AvroSchemaConverter.ADD_LIST_ELEMENT_RECORDS, "false");

    @Override
    public void read(Path file, DatasetColumns columns, Consumer<DatasetRow> rows) throws IOException {
        try (ParquetReader<GenericRecord> table = AvroParquetReader
                .<GenericRecord>builder(new LocalInputFile(file), new PlainParquetConfiguration(STANDARD_LISTS))
                .withDataModel(withLogicalTypes())
                .build()) {
            GenericRecord record;
            int n = 0;
            while ((record = table.read()) != null) {
                n++;
                if (n == 1) columns.requirePromptColumn(file, record.getSchema().getFields().stream().map(Schema.Field::name).toList());
                Map<String, JsonNode> cells = new LinkedHashMap<>();
                for (Schema.Field field : record.getSchema().getFields()) cells.put(field.name(), json(record.get(field.pos())));
                rows.accept(columns.row(n, file.getFileName() + " row " + n, cells));
            }
        }
    }

    private static GenericData withLogicalTypes() {
        GenericData model = new GenericData();
        model.addLogicalTypeConversion(new Conversions.DecimalConversion());
        model.addLogicalTypeConversion(new TimeConversions.DateConversion());
        model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        model.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
        model.addLogicalTypeConversion(new TimeConversions.LocalTimestampMillisConversion());
        model.addLogicalTypeConversion(new TimeConversions.LocalTimestampMicrosConversion());
        return model;
    }

    /** A Parquet value as JSON; bytes without a string annotation (as older writers store text) as UTF-8 text. */
    private static JsonNode json(Object value) {
        if (value == null) return null;
        JsonNode scalar = DatasetColumns.scalar(value);
        if (scalar != null) return scalar;
        if (value instanceof ByteBuffer bytes) return NODES.textNode(StandardCharsets.UTF_8.decode(bytes.duplicate()).toString());
        if (value instanceof Collection<?> items) {
            ArrayNode array = NODES.arrayNode();
            items.forEach(item -> array.add(json(item)));
            return array;
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            map.forEach((k, v) -> object.set(k.toString(), json(v)));
            return object;
        }
        if (value instanceof GenericRecord record) {
            ObjectNode object = NODES.objectNode();
            record.getSchema().getFields().forEach(f -> object.set(f.name(), json(record.get(f.pos()))));
            return object;
        }
        return NODES.textNode(value.toString());
    }
}
