package fusion.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.schema.FusionRequest;
import fusion.topology.Topics;
import java.nio.charset.StandardCharsets;

/**
 * Reads a request record's value: Avro single-object encoding (what {@code fusion submit} and Avro
 * producers write) or a JSON object (what a Python script with confluent-kafka writes most easily).
 */
public final class RequestDecoder {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a record's bytes came to. */
    public sealed interface Decoded permits Readable, Malformed, Unreadable {}

    /** A request, not yet validated. */
    public record Readable(FusionRequest request) implements Decoded {}

    /** JSON that is readable but has a field of the wrong type: it gets an error result. */
    public record Malformed(String requestId, String error) implements Decoded {}

    /** Bytes that are no request at all: they go to the DLQ. */
    public record Unreadable(String reason) implements Decoded {}

    public Decoded decode(String key, byte[] value) {
        if (value == null || value.length == 0) {
            return new Unreadable("empty value; a request is a FusionRequest in Avro single-object encoding or a JSON object");
        }
        if (value.length >= 2 && value[0] == (byte) 0xC3 && value[1] == 0x01) {
            try {
                return new Readable(Topics.REQUEST.decode(value));
            } catch (RuntimeException e) {
                return new Unreadable(e.getMessage());
            }
        }
        if (value[0] == 0x00) {
            return new Unreadable("Confluent Schema Registry framing (magic byte 0) needs schema.registry.url, which is not configured");
        }
        if (looksLikeJson(value)) {
            JsonNode node;
            try {
                node = JSON.readTree(value);
            } catch (Exception e) {
                return new Unreadable("value is not valid JSON: " + firstLine(e.getMessage()));
            }
            if (node == null || !node.isObject()) {
                return new Unreadable("value is JSON but not an object; send one JSON object per request");
            }
            try {
                return new Readable(RequestJson.parse(node));
            } catch (RequestFieldException e) {
                String id = node.hasNonNull("request_id") && node.get("request_id").isTextual() ? node.get("request_id").asText()
                        : node.hasNonNull("id") && node.get("id").isTextual() ? node.get("id").asText()
                        : key != null ? key : RequestJson.deriveId(node);
                return new Malformed(id, "invalid request: " + e.getMessage());
            }
        }
        return new Unreadable("value is neither Avro single-object encoding (0xC3 0x01) nor a JSON object (first byte 0x"
                + String.format("%02X", value[0]) + ")");
    }

    private static boolean looksLikeJson(byte[] value) {
        for (byte b : value) {
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') continue;
            return b == '{' || b == '[' || b == '"';
        }
        return false;
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return new String((nl < 0 ? s : s.substring(0, nl)).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
