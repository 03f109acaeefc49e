package fusion.intake;

import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.schema.FusionRequest;
import fusion.registry.RegistryFraming;
import fusion.registry.SchemaRegistryException;
import fusion.topology.AvroSerde;
import fusion.topology.Topics;
import fusion.topology.WireFormat;

/**
 * Reads a request record's value by its first byte: Avro single-object encoding (0xC3 0x01; what
 * {@code fusion submit} writes without a registry), Confluent Schema Registry framing (magic byte 0
 * and a schema id; what Avro producers with a registry write), or a JSON object in UTF-8 (what a
 * Python script with confluent-kafka writes most easily). A value over the request size limit is
 * never passed on: every record downstream would carry it.
 *
 * <p>A registry that cannot be reached is not the record's fault: its {@link SchemaRegistryException}
 * (after the client's bounded retries) is thrown, not turned into a DLQ reason, so the stream task
 * fails and the record is read again when the thread is replaced.
 */
public final class RequestDecoder {
    private final FusionDefaults limits;
    private final AvroSerde<FusionRequest> avro;

    public RequestDecoder() {
        this(FusionDefaults.standard());
    }

    /** @param limits whose {@code maxRequestBytes} bounds a record's value */
    public RequestDecoder(FusionDefaults limits) {
        this(limits, Topics.REQUEST);
    }

    /** @param avro reads Avro values: single-object, and registry-framed when it has a registry */
    public RequestDecoder(FusionDefaults limits, AvroSerde<FusionRequest> avro) {
        this.limits = limits;
        this.avro = avro;
    }

    /** What a record's bytes came to. */
    public sealed interface Decoded permits Readable, Malformed, Unreadable {}

    /** A request, not yet validated. */
    public record Readable(FusionRequest request) implements Decoded {}

    /** A request that can be told by its id but cannot run as given (a field of the wrong type, too large): it gets an error result. */
    public record Malformed(String requestId, String error) implements Decoded {}

    /** Bytes that are no request at all: they go to the DLQ. */
    public record Unreadable(String reason) implements Decoded {}

    /** Whether a value is too large to copy anywhere (the DLQ too): the record stays where it is, on the requests topic. */
    public boolean oversize(byte[] value) {
        return value != null && limits.sizeProblem(value.length) != null;
    }

    public Decoded decode(String key, byte[] value) {
        if (value == null || value.length == 0) {
            return new Unreadable("empty value; a request is a FusionRequest in Avro single-object encoding or a JSON object");
        }
        String tooLarge = limits.sizeProblem(value.length);
        boolean singleObject = value.length >= 2 && value[0] == (byte) 0xC3 && value[1] == 0x01;
        if (singleObject || value[0] == RegistryFraming.MAGIC) {
            if (!singleObject && !avro.readsRegistryFraming()) {
                return new Unreadable("a record in Confluent Schema Registry framing (magic byte 0"
                        + (RegistryFraming.framed(value) ? ", schema id " + RegistryFraming.schemaId(value) : "")
                        + "), but no registry is configured: set " + WireFormat.REGISTRY_URL + " to the registry it was written with");
            }
            FusionRequest request;
            try {
                request = avro.decode(value);
            } catch (SchemaRegistryException unreachable) {
                throw unreachable; // retriable: the record is fine, the registry is not
            } catch (RuntimeException e) {
                return new Unreadable(e.getMessage());
            }
            if (tooLarge == null) return new Readable(request);
            String id = request.getRequestId() != null && !request.getRequestId().isBlank() ? request.getRequestId() : key;
            return id == null ? new Unreadable(tooLarge + "; it has no request_id and no key either") : new Malformed(id, "invalid request: " + tooLarge);
        }
        int start = hasByteOrderMark(value) ? 3 : 0;
        if (looksLikeJson(value, start)) {
            RequestJson.ObjectText read = RequestJson.readObject(value, start, value.length - start);
            ObjectNode object = read.object();
            if (object == null) return new Unreadable("the value " + read.problem());
            if (!read.clean()) return new Malformed(idOf(object, key), "invalid request: the value " + read.problem());
            if (tooLarge != null) return new Malformed(idOf(object, key), "invalid request: " + tooLarge);
            try {
                return new Readable(RequestJson.parse(object, key));
            } catch (RequestFieldException e) {
                return new Malformed(idOf(object, key), "invalid request: " + e.getMessage());
            }
        }
        return new Unreadable("value is neither Avro single-object encoding (0xC3 0x01), Schema Registry framing (magic byte 0) nor a JSON object (first byte 0x"
                + String.format("%02X", value[0]) + ")");
    }

    /** The request's own id, else the record's key, else one derived from the content: an error result needs an id. */
    private static String idOf(ObjectNode object, String key) {
        String own = RequestJson.ownId(object);
        if (own != null) return own;
        return key != null ? key : RequestJson.deriveId(object);
    }

    private static boolean hasByteOrderMark(byte[] value) {
        return value.length >= 3 && value[0] == (byte) 0xEF && value[1] == (byte) 0xBB && value[2] == (byte) 0xBF;
    }

    private static boolean looksLikeJson(byte[] value, int start) {
        for (int i = start; i < value.length; i++) {
            byte b = value[i];
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') continue;
            return b == '{' || b == '[' || b == '"' || b == '-' || (b >= '0' && b <= '9') || b == 't' || b == 'f' || b == 'n';
        }
        return false;
    }
}
