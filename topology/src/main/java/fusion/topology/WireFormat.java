package fusion.topology;

import fusion.registry.SchemaRegistry;
import fusion.schema.FusionResult;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * How our Avro records go on the wire: Confluent's Schema Registry framing when
 * {@value #REGISTRY_URL} is set, Avro's single-object encoding otherwise. Either way every serde
 * reads both, and JSON where a topic takes it. Results alone may be written as JSON instead
 * ({@value #RESULTS_FORMAT}), for consumers that read no Avro.
 */
public final class WireFormat {
    public static final String REGISTRY_URL = "fusion.schema-registry.url";
    public static final String REGISTRY_USER_INFO = "fusion.schema-registry.basic-auth.user-info";
    /** {@code avro} (the default) or {@code json}: how results are written to the results topic. */
    public static final String RESULTS_FORMAT = "fusion.results.format";

    private final SchemaRegistry registry;
    private final boolean jsonResults;

    private WireFormat(SchemaRegistry registry, boolean jsonResults) {
        this.registry = registry;
        this.jsonResults = jsonResults;
    }

    public static WireFormat singleObject() {
        return new WireFormat(null, false);
    }

    public static WireFormat registry(SchemaRegistry registry) {
        return new WireFormat(registry, false);
    }

    /** The same, with results written as JSON: the results file's lines. */
    public WireFormat withJsonResults() {
        return new WireFormat(registry, true);
    }

    /**
     * From fusion.* settings: {@value #REGISTRY_URL} (e.g. {@code http://localhost:8081}, or Apicurio's
     * {@code http://localhost:8080/apis/ccompat/v7}), {@value #REGISTRY_USER_INFO} ({@code user:password}) and
     * {@value #RESULTS_FORMAT} ({@code avro} or {@code json}).
     *
     * @throws IllegalArgumentException naming the setting when its value is not usable
     */
    public static WireFormat from(Map<String, String> settings) {
        String url = settings.get(REGISTRY_URL);
        WireFormat avro = url == null || url.isBlank() ? singleObject() : registry(SchemaRegistry.at(url, settings.get(REGISTRY_USER_INFO)));
        String results = settings.getOrDefault(RESULTS_FORMAT, "").strip().toLowerCase(Locale.ROOT);
        return switch (results) {
            case "", "avro" -> avro;
            case "json" -> avro.withJsonResults();
            default -> throw new IllegalArgumentException(RESULTS_FORMAT + " is '" + settings.get(RESULTS_FORMAT)
                    + "'; it must be avro (the default) or json");
        };
    }

    public Optional<SchemaRegistry> schemaRegistry() {
        return Optional.ofNullable(registry);
    }

    /** The serde of the results topic: JSON or Avro, as set; it reads either. */
    public ResultSerde results() {
        return new ResultSerde(serde(FusionResult.class), jsonResults);
    }

    /** A serde of {@code type} that writes in this format. */
    public <T extends SpecificRecord> AvroSerde<T> serde(Class<T> type) {
        return new AvroSerde<>(type, registry, null);
    }
}
