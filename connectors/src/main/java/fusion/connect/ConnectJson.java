package fusion.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.dataset.DatasetColumns;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;

/**
 * A Connect value as plain JSON: a Struct or a Map is an object, a list an array; dates, times and timestamps are
 * ISO text and decimals plain numbers, as a dataset's Parquet cells are; bytes are read as UTF-8 text, as older
 * writers store text.
 */
final class ConnectJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ConnectJson() {}

    /** @param schema the value's schema, or null for schemaless data (then a java.util.Date is a timestamp) */
    static JsonNode of(Object value, Schema schema) {
        if (value == null) return NODES.nullNode();
        if (value instanceof Struct struct) {
            ObjectNode object = NODES.objectNode();
            for (Field f : struct.schema().fields()) object.set(f.name(), of(struct.get(f), f.schema()));
            return object;
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            Schema values = schema != null && schema.type() == Schema.Type.MAP ? schema.valueSchema() : null;
            map.forEach((k, v) -> object.set(String.valueOf(k), of(v, values)));
            return object;
        }
        if (value instanceof Collection<?> items) {
            ArrayNode array = NODES.arrayNode();
            Schema elements = schema != null && schema.type() == Schema.Type.ARRAY ? schema.valueSchema() : null;
            items.forEach(item -> array.add(of(item, elements)));
            return array;
        }
        if (value instanceof java.util.Date d) {
            String logical = schema == null ? null : schema.name();
            if (Date.LOGICAL_NAME.equals(logical)) return NODES.textNode(d.toInstant().atOffset(ZoneOffset.UTC).toLocalDate().toString());
            if (Time.LOGICAL_NAME.equals(logical)) return NODES.textNode(d.toInstant().atOffset(ZoneOffset.UTC).toLocalTime().toString());
            return NODES.textNode(Instant.ofEpochMilli(d.getTime()).toString());
        }
        JsonNode scalar = DatasetColumns.scalar(value);
        if (scalar != null) return scalar;
        if (value instanceof byte[] bytes) return NODES.textNode(new String(bytes, StandardCharsets.UTF_8));
        if (value instanceof ByteBuffer bytes) return NODES.textNode(StandardCharsets.UTF_8.decode(bytes.duplicate()).toString());
        return NODES.textNode(value.toString());
    }
}
