package fusion.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Events as UTF-8 JSON objects, for consumers in any language. */
public final class FusionEventSerde implements Serde<FusionEvent> {
    @Override
    public Serializer<FusionEvent> serializer() {
        return (topic, event) -> {
            if (event == null) return null;
            try {
                return FusionEvent.JSON.writeValueAsBytes(event.json());
            } catch (IOException e) {
                throw new SerializationException("could not write an event of request " + event.requestId(), e);
            }
        };
    }

    @Override
    public Deserializer<FusionEvent> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) return null;
            try {
                if (!(FusionEvent.JSON.readTree(bytes) instanceof ObjectNode n)) {
                    throw new SerializationException("an event on " + topic + " is not a JSON object");
                }
                return new FusionEvent(n);
            } catch (IOException e) {
                throw new SerializationException("an event on " + topic + " is not JSON: " + e.getMessage(), e);
            }
        };
    }
}
