package fusion.topology;

import fusion.registry.SchemaRegistry;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * How our Avro records go on the wire: Confluent's Schema Registry framing when
 * {@value #REGISTRY_URL} is set, Avro's single-object encoding otherwise. Either way every serde
 * reads both, and JSON where a topic takes it.
 */
public final class WireFormat {
    public static final String REGISTRY_URL = "fusion.schema-registry.url";
    public static final String REGISTRY_USER_INFO = "fusion.schema-registry.basic-auth.user-info";

    private final SchemaRegistry registry;

    private WireFormat(SchemaRegistry registry) {
        this.registry = registry;
    }

    public static WireFormat singleObject() {
        return new WireFormat(null);
    }

    public static WireFormat registry(SchemaRegistry registry) {
        return new WireFormat(registry);
    }

    /**
     * From fusion.* settings: {@value #REGISTRY_URL} (e.g. {@code http://localhost:8081}, or Apicurio's
     * {@code http://localhost:8080/apis/ccompat/v7}) and {@value #REGISTRY_USER_INFO} ({@code user:password}).
     *
     * @throws IllegalArgumentException naming the setting when its value is not usable
     */
    public static WireFormat from(Map<String, String> settings) {
        String url = settings.get(REGISTRY_URL);
        if (url == null || url.isBlank()) return singleObject();
        return registry(SchemaRegistry.at(url, settings.get(REGISTRY_USER_INFO)));
    }

    public Optional<SchemaRegistry> schemaRegistry() {
        return Optional.ofNullable(registry);
    }

    /** A serde of {@code type} that writes in this format. */
    public <T extends SpecificRecord> AvroSerde<T> serde(Class<T> type) {
        return new AvroSerde<>(type, registry, null);
    }
}
