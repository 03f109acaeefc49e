package fusion.topology;

import fusion.records.WriterSchemas;
import fusion.registry.RegistryFraming;
import fusion.registry.SchemaRegistry;
import fusion.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One of our Avro records on a topic. Without a Schema Registry it is written in Avro's single-object
 * encoding (0xC3 0x01, the schema's 8-byte fingerprint, then the binary record): any Avro library
 * decodes it with the .avsc. With one, it is written in Confluent's framing (magic byte 0, the
 * schema's 4-byte registry id, then the binary record), the schema registered under
 * {@code <topic>-value} on first use.
 *
 * <p>Reading goes by the first byte, whatever this serde writes: single-object records of any
 * released version of the schema (through Avro's schema resolution, so a job's topics, changelogs and
 * stores outlive the build that wrote them), registry-framed records by their id, and JSON objects
 * where the topic takes JSON.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
    static {
        TrustedPackages.ensure();
    }

    private final SpecificData data;
    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final SpecificDatumWriter<T> binaryWriter;
    private final String recordName;
    private final SchemaRegistry registry;
    private final Function<byte[], T> json;
    private final Map<Integer, DatumReader<T>> readersById = new ConcurrentHashMap<>();
    private final Map<String, Integer> idsByTopic = new ConcurrentHashMap<>();

    /** Single-object encoding, no registry, no JSON. */
    public AvroSerde(Class<T> type) {
        this(type, null, null);
    }

    /**
     * @param registry where schemas are registered and looked up by id; null for single-object encoding
     * @param json     reads a JSON object value (first byte '{'); null where the topic takes Avro only
     */
    public AvroSerde(Class<T> type, SchemaRegistry registry, Function<byte[], T> json) {
        this.data = SpecificData.getForClass(type);
        this.schema = data.getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(data, schema);
        this.decoder = new BinaryMessageDecoder<>(data, schema, WriterSchemas.all().add(schema).of(schema.getFullName()));
        this.binaryWriter = new SpecificDatumWriter<>(schema, data);
        this.recordName = schema.getName();
        this.registry = registry;
        this.json = json;
    }

    /** The same record and registry on a topic that also takes JSON objects, read by {@code json}. */
    public AvroSerde<T> acceptingJson(Function<byte[], T> json) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) data.getClass(schema);
        return new AvroSerde<>(type, registry, json);
    }

    /** Whether this serde has a registry to read magic-0 (Confluent-framed) records with. */
    public boolean readsRegistryFraming() {
        return registry != null;
    }

    /** In single-object encoding, whether or not a registry is set: for values that name no topic. */
    public byte[] encode(T value) {
        try {
            ByteBuffer buffer = encoder.encode(value);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * As this serde writes to {@code topic}: registry-framed under {@code <topic>-value} when a registry is
     * set, else single-object encoded.
     */
    public byte[] encode(String topic, T value) {
        if (registry == null) return encode(value);
        int id = idsByTopic.computeIfAbsent(topic, t -> registry.register(RegistryFraming.valueSubject(t), schema));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            BinaryEncoder binary = EncoderFactory.get().directBinaryEncoder(out, null);
            binaryWriter.write(value, binary);
            binary.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return RegistryFraming.frame(id, out.toByteArray());
    }

    /**
     * Bytes of a request as written without a registry (single-object encoded, or JSON) as this serde writes them to
     * {@code topic}: single-object records framed for the registry when one is set; anything else as it is.
     */
    public byte[] reframe(String topic, byte[] bytes) {
        boolean singleObject = bytes.length >= 2 && bytes[0] == (byte) 0xC3 && bytes[1] == 0x01;
        return registry != null && singleObject ? encode(topic, decodeSingleObject(bytes)) : bytes;
    }

    /**
     * Decodes by the first byte: 0xC3 0x01 single-object, 0x00 registry-framed, '{' JSON where taken.
     *
     * @throws SerializationException when the bytes are none of these, or not a {@code recordName}
     * @throws SchemaRegistryException when the registry could not be asked (retriable: not a fault of the record)
     */
    public T decode(byte[] bytes) {
        if (bytes.length >= 2 && bytes[0] == (byte) 0xC3 && bytes[1] == 0x01) return decodeSingleObject(bytes);
        if (bytes.length >= 1 && bytes[0] == RegistryFraming.MAGIC) return decodeFramed(bytes);
        if (json != null && startsLikeJsonObject(bytes)) return json.apply(bytes);
        throw new SerializationException("not a " + recordName + ": neither Avro single-object encoding (first bytes 0xC3 0x01) nor "
                + "Schema Registry framing (magic byte 0)" + (json != null ? " nor a JSON object" : "")
                + (bytes.length == 0 ? " (empty value)" : String.format(" (first byte 0x%02X)", bytes[0])));
    }

    private T decodeSingleObject(byte[] bytes) {
        try {
            return decoder.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new SerializationException("not a " + recordName + " this build can read: " + e.getMessage()
                    + " (a schema neither current nor released; written by a newer build, or not one of our records)", e);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("not a " + recordName + " in Avro single-object encoding: " + e.getMessage(), e);
        }
    }

    private T decodeFramed(byte[] bytes) {
        if (bytes.length < RegistryFraming.HEADER) {
            throw new SerializationException("not a " + recordName + ": " + bytes.length + " bytes, too short for Schema Registry framing (magic byte 0, 4-byte schema id)");
        }
        int id = RegistryFraming.schemaId(bytes);
        if (registry == null) {
            throw new SerializationException("a record in Confluent Schema Registry framing (magic byte 0, schema id " + id
                    + "): set fusion.schema-registry.url to the registry it was written with, so it can be read");
        }
        DatumReader<T> reader = readersById.computeIfAbsent(id, this::readerFor);
        try {
            return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, RegistryFraming.HEADER, bytes.length - RegistryFraming.HEADER, null));
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("not a " + recordName + " as schema id " + id + " describes: " + e.getMessage(), e);
        }
    }

    private DatumReader<T> readerFor(int id) {
        Schema writer;
        try {
            writer = registry.schema(id);
        } catch (SchemaRegistryException e) {
            if (e.retriable()) throw e;
            throw new SerializationException("not a " + recordName + ": " + e.getMessage(), e);
        }
        if (!writer.getFullName().equals(schema.getFullName()) && !schema.getAliases().contains(writer.getFullName())) {
            throw new SerializationException("not a " + recordName + ": schema id " + id + " at " + registry.url() + " is a " + writer.getFullName()
                    + ", not a " + schema.getFullName());
        }
        return new SpecificDatumReader<>(writer, schema, data);
    }

    static boolean startsLikeJsonObject(byte[] bytes) {
        for (byte b : bytes) {
            if (b == '{') return true;
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') return false;
        }
        return false;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : encode(topic, value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> bytes == null ? null : decode(bytes);
    }

    /**
     * Avro 1.12 decodes only classes it trusts; ours are generated into fusion.schema. Avro reads its system property
     * once, when the validator's class first loads, which in a Connect worker or any host app may be before us: so
     * the trust is added through Avro's API, once per copy of Avro (a Connect plugin has its own).
     */
    static final class TrustedPackages {
        private static final String PACKAGE = "fusion.schema.";
        private static boolean added;

        static synchronized void ensure() {
            if (added) return;
            ClassSecurityValidator.ClassSecurityPredicate before = ClassSecurityValidator.getGlobal();
            ClassSecurityValidator.setGlobal(c -> c.getName().startsWith(PACKAGE) || before.isTrusted(c));
            added = true;
        }
    }
}
