package fusion.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.intake.RequestFieldException;
import fusion.intake.RequestJson;
import fusion.records.WriterSchemas;
import fusion.registry.RegistryFraming;
import fusion.registry.SchemaRegistry;
import fusion.registry.SchemaRegistryException;
import fusion.results.ResultJson;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.topology.AvroSerde;
import fusion.topology.ResultSerde;
import fusion.topology.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.storage.Converter;

/**
 * Our records (FusionResult, FusionRequest) between a topic's bytes and Connect's Struct, so that any sink can store
 * results and any source can write requests.
 *
 * <p>Reading goes by the first byte, as the pipeline reads: Avro single-object encoding (0xC3 0x01 and the schema's
 * fingerprint, any released version), Schema Registry framing (magic byte 0 and a schema id; with a registry set) or
 * a JSON object. The record is told by {@value #RECORD}, or, when that is {@code auto}, by the fingerprint, the
 * registry's schema, or the JSON's fields. With {@value #FLATTEN} a result is one flat row (the Parquet results
 * file's columns: nested parts as JSON text), which a JDBC sink can store as a table.
 *
 * <p>Writing takes a Struct (from this converter or built by an SMT such as {@link RowToRequest}) or a Map (from a
 * schemaless source) with the record's field names, and writes single-object Avro, or registry-framed Avro when a
 * registry is set. A request given as JSON text (a line of a file source) is written as it is: the pipeline reads
 * JSON requests, and answers a bad one with an invalid_request result rather than failing the source.
 */
public final class FusionConverter implements Converter {
    public static final String RECORD = "fusion.record";
    public static final String FLATTEN = "fusion.converter.flatten";
    /** Confluent's converters' names for the registry, taken as well as ours. */
    static final String CONFLUENT_REGISTRY_URL = "schema.registry.url";
    static final String CONFLUENT_USER_INFO = "basic.auth.user.info";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(RECORD, ConfigDef.Type.STRING, "auto", ConfigDef.ValidString.in("auto", "result", "request"), ConfigDef.Importance.HIGH,
                    "which record the topic holds: result (fusion.results), request (fusion.requests), or auto: told by each "
                            + "record's schema fingerprint, registry schema, Struct schema name or JSON fields")
            .define(FLATTEN, ConfigDef.Type.BOOLEAN, false, ConfigDef.Importance.MEDIUM,
                    "read each record as one flat row for table sinks (JDBC): a result as the Parquet results file's columns, "
                            + "a request with its top-level fields; nested parts as JSON text (jsonb in PostgreSQL through Debezium's JDBC sink)")
            .define(WireFormat.REGISTRY_URL, ConfigDef.Type.STRING, null, ConfigDef.Importance.MEDIUM,
                    "a Confluent-compatible Schema Registry: registry-framed records are read with it, and records are written "
                            + "registry-framed under <topic>-value; unset, they are written in Avro's single-object encoding")
            .define(CONFLUENT_REGISTRY_URL, ConfigDef.Type.STRING, null, ConfigDef.Importance.LOW, "the same as " + WireFormat.REGISTRY_URL)
            .define(WireFormat.REGISTRY_USER_INFO, ConfigDef.Type.PASSWORD, null, ConfigDef.Importance.LOW, "user:password for the registry")
            .define(CONFLUENT_USER_INFO, ConfigDef.Type.PASSWORD, null, ConfigDef.Importance.LOW, "the same as " + WireFormat.REGISTRY_USER_INFO);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESULT_NAME = FusionResult.getClassSchema().getFullName();
    private static final String REQUEST_NAME = FusionRequest.getClassSchema().getFullName();

    /** One of our records: its serde, its Avro schema and its Connect schemas. */
    private static final class Record<T extends SpecificRecord> {
        final String name;
        final Class<T> type;
        final AvroSerde<T> serde;
        final org.apache.avro.Schema avro;
        final AvroStructs structs;
        final Schema schema;
        final Schema rowSchema;

        Record(Class<T> type, WireFormat wire, Function<byte[], T> json, String rowName) {
            this.type = type;
            this.serde = wire.serde(type).acceptingJson(json);
            this.avro = SpecificData.getForClass(type).getSchema(type);
            this.name = avro.getName();
            this.structs = new AvroStructs(SpecificData.getForClass(type));
            this.schema = structs.schema(avro);
            this.rowSchema = rowName == null ? null : FlatRows.rowSchema(schema, rowName);
        }
    }

    private Record<FusionResult> result;
    private Record<FusionRequest> request;
    private Record<?> fixed;
    private boolean flatten;
    private SchemaRegistry registry;

    @Override
    public ConfigDef config() {
        return CONFIG;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (isKey) {
            throw new ConfigException("FusionConverter reads and writes record values; keys are request ids: use "
                    + "org.apache.kafka.connect.storage.StringConverter as the key.converter");
        }
        AbstractConfig config = new AbstractConfig(CONFIG, configs, false);
        Map<String, String> wire = new HashMap<>();
        String url = Optional.ofNullable(config.getString(WireFormat.REGISTRY_URL)).orElse(config.getString(CONFLUENT_REGISTRY_URL));
        Password userInfo = Optional.ofNullable(config.getPassword(WireFormat.REGISTRY_USER_INFO)).orElse(config.getPassword(CONFLUENT_USER_INFO));
        if (url != null) wire.put(WireFormat.REGISTRY_URL, url);
        if (userInfo != null) wire.put(WireFormat.REGISTRY_USER_INFO, userInfo.value());
        WireFormat format;
        try {
            format = WireFormat.from(wire);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        registry = format.schemaRegistry().orElse(null);
        flatten = config.getBoolean(FLATTEN);
        result = new Record<>(FusionResult.class, format, FusionConverter::jsonResult, null);
        request = new Record<>(FusionRequest.class, format, FusionConverter::jsonRequest, FlatRows.REQUEST_ROW);
        fixed = switch (config.getString(RECORD).toLowerCase(Locale.ROOT)) {
            case "result" -> result;
            case "request" -> request;
            default -> null;
        };
    }

    @Override
    public SchemaAndValue toConnectData(String topic, byte[] value) {
        return toConnectData(topic, null, value);
    }

    /** A JSON result (fusion.results.format=json) carries its call ledger in a header; the rest need none. */
    @Override
    public SchemaAndValue toConnectData(String topic, Headers headers, byte[] value) {
        if (value == null) return SchemaAndValue.NULL;
        Record<?> record = fixed != null ? fixed : recordOf(topic, value);
        if (flatten && record == result && looksLikeJson(value)) {
            return new SchemaAndValue(FlatRows.RESULT, FlatRows.result(jsonObject(topic, value)));
        }
        Object decoded = record == result && looksLikeJson(value) ? jsonResult(topic, headers, value) : decode(topic, record, value);
        if (flatten && record == result) return new SchemaAndValue(FlatRows.RESULT, FlatRows.result(ResultJson.toNode((FusionResult) decoded)));
        Struct struct = (Struct) record.structs.toConnect(record.avro, decoded);
        if (flatten) return new SchemaAndValue(record.rowSchema, FlatRows.row(struct, record.rowSchema));
        return new SchemaAndValue(record.schema, struct);
    }

    private static <T extends SpecificRecord> T decode(String topic, Record<T> record, byte[] value) {
        try {
            return record.serde.decode(value);
        } catch (SchemaRegistryException e) {
            if (e.retriable()) throw new RetriableException(e.getMessage(), e);
            throw unreadable(topic, record.name, e.getMessage());
        } catch (SerializationException | DataException | IllegalArgumentException e) {
            throw unreadable(topic, record.name, e.getMessage());
        }
    }

    private static DataException unreadable(String topic, String record, String why) {
        return new DataException("cannot read a record of topic '" + topic + "' as a " + record + ": " + why);
    }

    /** The record a value holds, by its fingerprint, its registry schema or its JSON fields. */
    private Record<?> recordOf(String topic, byte[] value) {
        if (value.length >= 10 && value[0] == (byte) 0xC3 && value[1] == 0x01) {
            long fingerprint = ByteBuffer.wrap(value, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            org.apache.avro.Schema writer = WriterSchemas.all().findByFingerprint(fingerprint);
            if (writer == null) {
                throw new DataException("cannot read a record of topic '" + topic + "': its Avro fingerprint "
                        + String.format("%016x", fingerprint) + " is not that of any released FusionResult or FusionRequest schema "
                        + "(written by a newer build, or not one of our records); set " + RECORD + " to say which record the topic holds");
            }
            return byName(topic, writer.getFullName());
        }
        if (RegistryFraming.framed(value)) {
            int id = RegistryFraming.schemaId(value);
            if (registry == null) {
                throw new DataException("cannot read a record of topic '" + topic + "': it is in Confluent Schema Registry framing "
                        + "(magic byte 0, schema id " + id + "); set " + WireFormat.REGISTRY_URL + " (or " + CONFLUENT_REGISTRY_URL
                        + ") on the converter to the registry it was written with");
            }
            try {
                return byName(topic, registry.schema(id).getFullName());
            } catch (SchemaRegistryException e) {
                if (e.retriable()) throw new RetriableException(e.getMessage(), e);
                throw new DataException("cannot read a record of topic '" + topic + "': " + e.getMessage());
            }
        }
        if (looksLikeJson(value)) return jsonObject(topic, value).has("status") ? result : request;
        throw new DataException("cannot read a record of topic '" + topic + "': it is neither Avro single-object encoding "
                + "(first bytes 0xC3 0x01), Schema Registry framing (magic byte 0) nor a JSON object ("
                + (value.length == 0 ? "an empty value" : String.format("first byte 0x%02X", value[0])) + ")");
    }

    private Record<?> byName(String topic, String fullName) {
        if (fullName.equals(RESULT_NAME)) return result;
        if (fullName.equals(REQUEST_NAME)) return request;
        throw new DataException("cannot read a record of topic '" + topic + "': it is a " + fullName
                + ", not a FusionResult or a FusionRequest; this converter reads fusion.results and fusion.requests");
    }

    @Override
    public byte[] fromConnectData(String topic, Schema schema, Object value) {
        if (value == null) return null;
        if (value instanceof CharSequence || value instanceof byte[]) return requestText(topic, value);
        Record<?> record = fixed != null ? fixed : recordOf(topic, schema, value);
        if (schema != null && (FlatRows.RESULT_ROW.equals(schema.name()) || FlatRows.REQUEST_ROW.equals(schema.name()))) {
            throw new DataException("topic '" + topic + "': a flat row (" + FLATTEN + "=true) is a sink's view of a record and "
                    + "cannot be written back as one; write the record's own Struct");
        }
        return encode(topic, record, value);
    }

    private static <T extends SpecificRecord> byte[] encode(String topic, Record<T> record, Object value) {
        T avro = record.type.cast(record.structs.toAvro(record.avro, value, record.name));
        try {
            return record.serde.encode(topic, avro);
        } catch (SchemaRegistryException e) {
            if (e.retriable()) throw new RetriableException(e.getMessage(), e);
            throw new DataException("cannot write a " + record.name + " to topic '" + topic + "': " + e.getMessage());
        }
    }

    private Record<?> recordOf(String topic, Schema schema, Object value) {
        String name = schema != null ? schema.name() : null;
        if (RESULT_NAME.equals(name) || FlatRows.RESULT_ROW.equals(name)) return result;
        if (REQUEST_NAME.equals(name) || FlatRows.REQUEST_ROW.equals(name)) return request;
        Map<?, ?> fields = value instanceof Map<?, ?> map ? map : null;
        if (value instanceof Struct struct) {
            throw new DataException("topic '" + topic + "': a Struct of schema '" + struct.schema().name() + "' is neither a "
                    + RESULT_NAME + " nor a " + REQUEST_NAME + "; set " + RECORD + " to result or request to write it as one");
        }
        if (fields == null) {
            throw new DataException("topic '" + topic + "': a " + value.getClass().getSimpleName() + " is no record; give a Struct or "
                    + "a Map with a FusionResult's or a FusionRequest's fields (or JSON text of a request)");
        }
        return fields.containsKey("status") ? result : request;
    }

    /** A request as JSON text, passed on as it is for the pipeline to read and answer; anything else is refused here. */
    private byte[] requestText(String topic, Object value) {
        byte[] bytes = value instanceof byte[] b ? b : value.toString().getBytes(StandardCharsets.UTF_8);
        if (fixed == result) {
            throw new DataException("topic '" + topic + "': text is no FusionResult; give a Struct or a Map with its fields");
        }
        if (!looksLikeJson(bytes)) {
            String text = new String(bytes, StandardCharsets.UTF_8);
            throw new DataException("topic '" + topic + "': the text \"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text)
                    + "\" is not a JSON request object; write {\"prompt\": \"...\"} per record, or a Struct (see the RowToRequest SMT)");
        }
        return bytes;
    }

    private static FusionResult jsonResult(byte[] bytes) {
        return ResultJson.parse(bytes, null);
    }

    private static FusionResult jsonResult(String topic, Headers headers, byte[] value) {
        Header ledger = headers == null ? null : headers.lastHeader(ResultSerde.CALLS_HEADER);
        try {
            return ResultJson.parse(value, ledger == null ? null : ledger.value());
        } catch (IllegalArgumentException e) {
            throw unreadable(topic, "FusionResult", e.getMessage());
        }
    }

    private static FusionRequest jsonRequest(byte[] bytes) {
        RequestJson.ObjectText read = RequestJson.readObject(bytes, 0, bytes.length);
        if (!read.clean()) throw new SerializationException("the JSON request " + read.problem());
        try {
            return RequestJson.parse(read.object());
        } catch (RequestFieldException e) {
            throw new SerializationException("the JSON request is invalid: " + e.getMessage());
        }
    }

    private static ObjectNode jsonObject(String topic, byte[] value) {
        try {
            JsonNode node = JSON.readTree(value);
            if (node != null && node.isObject()) return (ObjectNode) node;
        } catch (IOException e) {
            throw new DataException("cannot read a record of topic '" + topic + "': it starts as JSON but is not valid JSON: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        throw new DataException("cannot read a record of topic '" + topic + "': its JSON is not an object");
    }

    private static boolean looksLikeJson(byte[] value) {
        for (byte b : value) {
            if (b == '{') return true;
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') return false;
        }
        return false;
    }
}
