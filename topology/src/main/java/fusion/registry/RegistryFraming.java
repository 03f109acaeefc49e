package fusion.registry;

import java.nio.ByteBuffer;

/**
 * Confluent's wire format: the magic byte 0, the schema's registry id as a 4-byte big-endian
 * integer, then the record in Avro binary (no fingerprint, no length).
 */
public final class RegistryFraming {
    public static final byte MAGIC = 0;
    public static final int HEADER = 5;

    private RegistryFraming() {}

    public static byte[] frame(int schemaId, byte[] avroBinary) {
        return ByteBuffer.allocate(HEADER + avroBinary.length).put(MAGIC).putInt(schemaId).put(avroBinary).array();
    }

    /** Whether {@code bytes} start as a framed record does. */
    public static boolean framed(byte[] bytes) {
        return bytes.length >= HEADER && bytes[0] == MAGIC;
    }

    /** The schema id of a framed record. */
    public static int schemaId(byte[] framed) {
        if (!framed(framed)) throw new IllegalArgumentException("not in Schema Registry framing: it takes magic byte 0 and a 4-byte schema id");
        return ByteBuffer.wrap(framed, 1, 4).getInt();
    }

    /** TopicNameStrategy: a topic's values are registered under {@code <topic>-value}. */
    public static String valueSubject(String topic) {
        return topic + "-value";
    }

    /** TopicNameStrategy for keys, should they ever be Avro. */
    public static String keySubject(String topic) {
        return topic + "-key";
    }
}
