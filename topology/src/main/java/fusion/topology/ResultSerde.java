package fusion.topology;

import fusion.results.ResultJson;
import fusion.schema.FusionResult;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Results on the results topic: Avro as {@link WireFormat} writes it, or, with {@value WireFormat#RESULTS_FORMAT}
 * {@code =json}, the very line the results file holds ({@link ResultJson}), for consumers that read no Avro. That
 * line sums the call ledger per stage; the ledger itself rides in the {@value #CALLS_HEADER} header, so that our
 * own readers (cost per model, retries, a rerun's choice of what to send again) lose nothing.
 *
 * <p>Reading goes by the first byte whichever format this writes, so a topic that holds both reads whole.
 */
public final class ResultSerde implements Serde<FusionResult> {
    /** The call ledger of a JSON result ({@link ResultJson#ledger}): a JSON array, one object per model call. */
    public static final String CALLS_HEADER = "fusion.result.calls";

    private final AvroSerde<FusionResult> avro;
    private final boolean json;

    /**
     * @param avro how Avro results are written and read
     * @param json whether results are written as JSON
     */
    public ResultSerde(AvroSerde<FusionResult> avro, boolean json) {
        this.avro = avro;
        this.json = json;
    }

    /** Whether results are written as JSON. */
    public boolean writesJson() {
        return json;
    }

    /**
     * A result as it was read, its call ledger from {@code headers} when they hold one.
     *
     * @throws SerializationException when the bytes are no result in any of the formats
     */
    public FusionResult decode(byte[] value, Headers headers) {
        if (!AvroSerde.startsLikeJsonObject(value)) return avro.decode(value);
        Header ledger = headers == null ? null : headers.lastHeader(CALLS_HEADER);
        try {
            return ResultJson.parse(value, ledger == null ? null : ledger.value());
        } catch (IllegalArgumentException e) {
            throw new SerializationException("not a FusionResult as JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public Serializer<FusionResult> serializer() {
        return new Serializer<>() {
            @Override
            public byte[] serialize(String topic, FusionResult value) {
                if (value == null) return null;
                return json ? ResultJson.toJson(value).getBytes(StandardCharsets.UTF_8) : avro.encode(topic, value);
            }

            @Override
            public byte[] serialize(String topic, Headers headers, FusionResult value) {
                if (json && value != null) {
                    headers.remove(CALLS_HEADER);
                    headers.add(CALLS_HEADER, ResultJson.ledger(value.getCalls()));
                }
                return serialize(topic, value);
            }
        };
    }

    @Override
    public Deserializer<FusionResult> deserializer() {
        return new Deserializer<>() {
            @Override
            public FusionResult deserialize(String topic, byte[] bytes) {
                return bytes == null ? null : decode(bytes, null);
            }

            @Override
            public FusionResult deserialize(String topic, Headers headers, byte[] bytes) {
                return bytes == null ? null : decode(bytes, headers);
            }
        };
    }
}
