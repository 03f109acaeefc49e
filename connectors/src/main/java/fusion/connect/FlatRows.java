package fusion.connect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.results.ResultRow;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * Records as flat rows, for sinks whose tables have no nested types (JDBC): a result as a {@link ResultRow} (the
 * Parquet results file's columns), a request with its top-level fields as columns. Nested parts are JSON text under
 * Debezium's {@code io.debezium.data.Json} name, which its JDBC sink stores as {@code jsonb} in PostgreSQL; any
 * other sink sees a plain string.
 */
final class FlatRows {
    static final String RESULT_ROW = "fusion.results.FusionResultRow";
    static final String REQUEST_ROW = "fusion.connect.FusionRequestRow";
    private static final String JSON_NAME = "io.debezium.data.Json";
    /** What Debezium's JDBC sink reads as the source column's type: jsonb rather than json, so it can be indexed. */
    private static final String SOURCE_COLUMN_TYPE = "__debezium.source.column.type";
    private static final ObjectMapper JSON = new ObjectMapper();

    static final Schema RESULT = resultSchema();

    private FlatRows() {}

    private static Schema resultSchema() {
        SchemaBuilder row = SchemaBuilder.struct().name(RESULT_ROW)
                .doc("one fusion result; result_json is the whole result in the spec's JSON shape");
        for (ResultRow.Column c : ResultRow.COLUMNS) {
            SchemaBuilder column = switch (c.kind()) {
                case TEXT -> SchemaBuilder.string();
                case JSON, MAP -> json();
                case INT -> SchemaBuilder.int32();
                case LONG -> SchemaBuilder.int64();
                case DOUBLE -> SchemaBuilder.float64();
            };
            row.field(c.name(), (c.optional() ? column.optional() : column).build());
        }
        return row.build();
    }

    private static SchemaBuilder json() {
        return SchemaBuilder.string().name(JSON_NAME).parameter(SOURCE_COLUMN_TYPE, "JSONB");
    }

    /** The row of a result as {@link fusion.results.ResultJson} renders it (or as its JSON line reads). */
    static Struct result(ObjectNode json) {
        Struct row = new Struct(RESULT);
        ResultRow.of(json).forEach((column, value) -> row.put(column, value instanceof Map<?, ?> map ? JSON.valueToTree(map).toString() : value));
        return row;
    }

    /** The row schema of a record's Struct schema: its scalar fields as they are, nested ones as JSON text. */
    static Schema rowSchema(Schema record, String name) {
        SchemaBuilder row = SchemaBuilder.struct().name(name);
        if (record.doc() != null) row.doc(record.doc());
        for (Field f : record.fields()) {
            row.field(f.name(), nested(f.schema()) ? (f.schema().isOptional() ? json().optional() : json()).build() : f.schema());
        }
        return row.build();
    }

    /** A record's Struct as a row of {@code rowSchema}. */
    static Struct row(Struct record, Schema rowSchema) {
        Struct row = new Struct(rowSchema);
        for (Field f : record.schema().fields()) {
            Object value = record.get(f);
            row.put(f.name(), nested(f.schema()) && value != null ? ConnectJson.of(value, f.schema()).toString() : value);
        }
        return row;
    }

    private static boolean nested(Schema schema) {
        return schema.type() == Schema.Type.STRUCT || schema.type() == Schema.Type.ARRAY || schema.type() == Schema.Type.MAP;
    }
}
