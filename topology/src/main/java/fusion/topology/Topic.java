package fusion.topology;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A topic's name with the serdes of its keys and values (the confluentinc kafka-streams-examples
 * {@code Schemas.Topics} pattern). Sources, sinks, producers and consumers take the {@code Topic},
 * so a topic is never read or written with another topic's serdes.
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

    /** The same topic with its values as they are on the wire: for a reader that must see bytes it cannot decode (intake → DLQ). */
    public Topic<K, byte[]> asBytes() {
        return new Topic<>(name, keySerde, Serdes.ByteArray());
    }

    @Override
    public String toString() {
        return name;
    }
}
