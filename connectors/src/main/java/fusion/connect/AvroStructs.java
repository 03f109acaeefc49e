package fusion.connect;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

/**
 * Our Avro records as Connect data and back. A record is a {@link Struct} named as the record ({@code
 * fusion.schema.FusionResult}); a union with null is an optional field; an enum is its symbol as a string; an array
 * and a string map are Connect's array and map; Avro's date, time-millis, timestamp-millis and decimal are Connect's
 * Date, Time, Timestamp and Decimal. Going back, a Struct's fields, or a Map's keys, are taken by name, so a
 * sink-side Struct of another shape (fewer fields, other order) writes as long as what it has fits.
 */
final class AvroStructs {
    private final GenericData data;
    private final Map<org.apache.avro.Schema, Schema> schemas = new ConcurrentHashMap<>();

    /** @param data makes the records and enums written back: SpecificData for our generated classes */
    AvroStructs(GenericData data) {
        this.data = data;
    }

    /** The Connect schema of an Avro schema; a record's is a required Struct. */
    Schema schema(org.apache.avro.Schema avro) {
        Schema known = schemas.get(avro);
        if (known != null) return known;
        // not computeIfAbsent: building a record's schema builds its fields' schemas first
        Schema built = build(avro, false, null).build();
        Schema raced = schemas.putIfAbsent(avro, built);
        return raced != null ? raced : built;
    }

    /** @param doc a field's doc, which takes the place of its record type's */
    private SchemaBuilder build(org.apache.avro.Schema avro, boolean optional, String doc) {
        SchemaBuilder b = switch (avro.getType()) {
            case RECORD -> {
                SchemaBuilder struct = SchemaBuilder.struct().name(avro.getFullName());
                for (org.apache.avro.Schema.Field f : avro.getFields()) struct.field(f.name(), build(f.schema(), false, f.doc()).build());
                yield struct;
            }
            case UNION -> build(nonNullBranch(avro), true, doc);
            case ARRAY -> SchemaBuilder.array(build(avro.getElementType(), false, null).build());
            case MAP -> SchemaBuilder.map(Schema.STRING_SCHEMA, build(avro.getValueType(), false, null).build());
            case ENUM -> SchemaBuilder.string().parameter("fusion.enum", String.join(",", avro.getEnumSymbols()));
            case STRING -> SchemaBuilder.string();
            case BYTES, FIXED -> avro.getLogicalType() instanceof LogicalTypes.Decimal d ? Decimal.builder(d.getScale()) : SchemaBuilder.bytes();
            case INT -> avro.getLogicalType() instanceof LogicalTypes.Date ? Date.builder()
                    : avro.getLogicalType() instanceof LogicalTypes.TimeMillis ? Time.builder() : SchemaBuilder.int32();
            case LONG -> avro.getLogicalType() instanceof LogicalTypes.TimestampMillis ? Timestamp.builder() : SchemaBuilder.int64();
            case FLOAT -> SchemaBuilder.float32();
            case DOUBLE -> SchemaBuilder.float64();
            case BOOLEAN -> SchemaBuilder.bool();
            case NULL -> throw new DataException("a field of type null alone has no Connect type");
        };
        String described = doc != null ? doc : avro.getType() == org.apache.avro.Schema.Type.RECORD ? avro.getDoc() : null;
        if (described != null && b.doc() == null) b.doc(described);
        return optional && !b.isOptional() ? b.optional() : b;
    }

    private static org.apache.avro.Schema nonNullBranch(org.apache.avro.Schema union) {
        List<org.apache.avro.Schema> branches = union.getTypes().stream().filter(s -> s.getType() != org.apache.avro.Schema.Type.NULL).toList();
        if (branches.size() != 1 || branches.size() == union.getTypes().size()) {
            throw new DataException("the union " + union + " is not [null, T]: only optional fields have a Connect type");
        }
        return branches.get(0);
    }

    /** An Avro value (as a decoder gives it) as the Connect value of {@code schema(avro)}. */
    Object toConnect(org.apache.avro.Schema avro, Object value) {
        return toConnect(avro, schema(avro), value);
    }

    private Object toConnect(org.apache.avro.Schema avro, Schema connect, Object value) {
        if (value == null) return null;
        switch (avro.getType()) {
            case RECORD: {
                IndexedRecord record = (IndexedRecord) value;
                Struct struct = new Struct(connect);
                for (org.apache.avro.Schema.Field f : avro.getFields()) {
                    struct.put(f.name(), toConnect(f.schema(), connect.field(f.name()).schema(), record.get(f.pos())));
                }
                return struct;
            }
            case UNION:
                return toConnect(nonNullBranch(avro), connect, value);
            case ARRAY: {
                List<Object> out = new ArrayList<>();
                for (Object item : (Collection<?>) value) out.add(toConnect(avro.getElementType(), connect.valueSchema(), item));
                return out;
            }
            case MAP: {
                Map<String, Object> out = new LinkedHashMap<>();
                ((Map<?, ?>) value).forEach((k, v) -> out.put(k.toString(), toConnect(avro.getValueType(), connect.valueSchema(), v)));
                return out;
            }
            case ENUM:
            case STRING:
                return value.toString();
            case BYTES:
            case FIXED: {
                byte[] bytes = value instanceof GenericFixed fixed ? fixed.bytes() : bytesOf((ByteBuffer) value);
                return avro.getLogicalType() instanceof LogicalTypes.Decimal d ? new BigDecimal(new BigInteger(bytes), d.getScale()) : bytes;
            }
            case INT:
                if (avro.getLogicalType() instanceof LogicalTypes.Date) return Date.toLogical(connect, (Integer) value);
                if (avro.getLogicalType() instanceof LogicalTypes.TimeMillis) return Time.toLogical(connect, (Integer) value);
                return value;
            case LONG:
                return avro.getLogicalType() instanceof LogicalTypes.TimestampMillis ? Timestamp.toLogical(connect, (Long) value) : value;
            default:
                return value;
        }
    }

    /**
     * A Connect value (a Struct, a Map from a schemaless converter, or their parts) as an Avro value of {@code avro}:
     * records of our generated classes, enums by symbol, numbers widened or narrowed where they fit.
     *
     * @param path where the value sits, for messages: {@code FusionResult.analysis.consensus[2]}
     * @throws DataException naming the field when a value does not fit or a required field is missing
     */
    Object toAvro(org.apache.avro.Schema avro, Object value, String path) {
        if (value == null) {
            if (avro.getType() == org.apache.avro.Schema.Type.UNION && avro.getTypes().stream().anyMatch(s -> s.getType() == org.apache.avro.Schema.Type.NULL)) {
                return null;
            }
            throw new DataException(path + " is null; it is required (" + avro.getType().getName() + ")");
        }
        switch (avro.getType()) {
            case RECORD:
                return record(avro, value, path);
            case UNION:
                return toAvro(nonNullBranch(avro), value, path);
            case ARRAY: {
                if (!(value instanceof Collection<?> items)) throw mismatch(path, "an array", value);
                List<Object> out = new ArrayList<>();
                int i = 0;
                for (Object item : items) out.add(toAvro(avro.getElementType(), item, path + "[" + i++ + "]"));
                return out;
            }
            case MAP: {
                if (!(value instanceof Map<?, ?> map)) throw mismatch(path, "a map", value);
                Map<String, Object> out = new HashMap<>();
                map.forEach((k, v) -> out.put(String.valueOf(k), toAvro(avro.getValueType(), v, path + "." + k)));
                return out;
            }
            case ENUM: {
                String symbol = value.toString();
                if (!avro.getEnumSymbols().contains(symbol)) {
                    throw new DataException(path + " is '" + symbol + "'; it must be one of " + avro.getEnumSymbols());
                }
                return data.createEnum(symbol, avro);
            }
            case STRING:
                if (value instanceof CharSequence || value instanceof GenericEnumSymbol<?>) return value.toString();
                throw mismatch(path, "a string", value);
            case BOOLEAN:
                if (value instanceof Boolean) return value;
                throw mismatch(path, "a boolean", value);
            case INT:
                if (value instanceof java.util.Date d) return intOfDate(avro.getLogicalType(), d, path);
                return Math.toIntExact(whole(value, path, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case LONG:
                if (value instanceof java.util.Date d) return d.getTime();
                return whole(value, path, Long.MIN_VALUE, Long.MAX_VALUE);
            case FLOAT:
                if (value instanceof Number n) return n.floatValue();
                throw mismatch(path, "a number", value);
            case DOUBLE:
                if (value instanceof Number n) return n.doubleValue();
                throw mismatch(path, "a number", value);
            case BYTES:
                if (avro.getLogicalType() instanceof LogicalTypes.Decimal d && value instanceof BigDecimal big) {
                    return ByteBuffer.wrap(big.setScale(d.getScale()).unscaledValue().toByteArray());
                }
                if (value instanceof byte[] bytes) return ByteBuffer.wrap(bytes);
                if (value instanceof ByteBuffer buffer) return buffer;
                throw mismatch(path, "bytes", value);
            default:
                throw new DataException(path + ": Avro type " + avro.getType() + " is not written from Connect data");
        }
    }

    private Object record(org.apache.avro.Schema avro, Object value, String path) {
        Map<String, Object> fields = new HashMap<>();
        if (value instanceof Struct struct) {
            for (Field f : struct.schema().fields()) fields.put(f.name(), struct.get(f));
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> fields.put(String.valueOf(k), v));
        } else {
            throw mismatch(path, "a Struct or a Map with the fields of " + avro.getName(), value);
        }
        IndexedRecord record = (IndexedRecord) data.newRecord(null, avro);
        for (org.apache.avro.Schema.Field f : avro.getFields()) {
            String at = path + "." + f.name();
            Object given = fields.get(f.name());
            if (given == null && f.hasDefaultValue()) {
                record.put(f.pos(), data.deepCopy(f.schema(), data.getDefaultValue(f)));
            } else {
                record.put(f.pos(), toAvro(f.schema(), given, at));
            }
        }
        return record;
    }

    private static int intOfDate(LogicalType logical, java.util.Date d, String path) {
        if (logical instanceof LogicalTypes.Date) return Math.toIntExact(Math.floorDiv(d.getTime(), 86_400_000L));
        if (logical instanceof LogicalTypes.TimeMillis) return (int) Math.floorMod(d.getTime(), 86_400_000L);
        throw mismatch(path, "a whole number", d);
    }

    private static long whole(Object value, String path, long min, long max) {
        if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
            long v = ((Number) value).longValue();
            if (v < min || v > max) throw new DataException(path + " is " + v + ", out of range (" + min + " to " + max + ")");
            return v;
        }
        if (value instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() == Math.rint(n.doubleValue())) {
            return whole(n.longValue(), path, min, max);
        }
        throw mismatch(path, "a whole number", value);
    }

    private static DataException mismatch(String path, String expected, Object value) {
        String shown = value instanceof CharSequence s && s.length() > 40 ? "\"" + s.subSequence(0, 40) + "...\"" : value instanceof CharSequence s ? "\"" + s + "\"" : String.valueOf(value);
        if (shown.length() > 60) shown = shown.substring(0, 60) + "...";
        return new DataException(path + " is " + shown + " (" + value.getClass().getSimpleName() + "); it must be " + expected);
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
