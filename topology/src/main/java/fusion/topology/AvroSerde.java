package fusion.topology;

import fusion.records.WriterSchemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro single-object encoding (0xC3 0x01, the schema's 8-byte fingerprint, then the binary
 * record): any Avro library decodes it with the .avsc, and no registry is needed. Records written
 * with any released version of the schema decode too, through Avro's schema resolution: a job's
 * topics, changelogs and stores outlive the build that wrote them.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
    static {
        TrustedPackages.ensure();
    }

    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final String recordName;

    public AvroSerde(Class<T> type) {
        SpecificData data = SpecificData.getForClass(type);
        Schema schema = data.getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(data, schema);
        this.decoder = new BinaryMessageDecoder<>(data, schema, WriterSchemas.all().add(schema).of(schema.getFullName()));
        this.recordName = schema.getName();
    }

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

    /** @throws SerializationException when the bytes are not a {@code recordName} in single-object encoding */
    public T decode(byte[] bytes) {
        try {
            return decoder.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new SerializationException("not a " + recordName + " this build can read: " + e.getMessage()
                    + " (a schema neither current nor released; written by a newer build, or not one of our records)", e);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("not a " + recordName + " in Avro single-object encoding: " + e.getMessage(), e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : encode(value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> bytes == null ? null : decode(bytes);
    }

    /** Avro 1.12 decodes only classes from trusted packages; ours are generated into fusion.schema. */
    static final class TrustedPackages {
        static void ensure() {
            String key = "org.apache.avro.SERIALIZABLE_PACKAGES";
            String current = System.getProperty(key);
            if (current == null || current.isBlank()) {
                System.setProperty(key, "fusion.schema");
            } else if (!current.contains("fusion.schema")) {
                System.setProperty(key, current + ",fusion.schema");
            }
        }
    }
}
