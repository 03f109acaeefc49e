package fusion.records;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

/**
 * Every schema a record of ours may have been written with: each released version of each record,
 * and the current ones the serdes add. A single-object decoder looks a writer's fingerprint up here
 * and reads the record through Avro's schema resolution, so records, changelogs and stores written
 * by an earlier release stay readable (new fields take their defaults).
 */
public final class WriterSchemas implements SchemaStore {
    private static final WriterSchemas RELEASED = new WriterSchemas(Releases.all());

    private final Map<Long, Schema> byFingerprint = new ConcurrentHashMap<>();

    WriterSchemas(List<Release> releases) {
        releases.forEach(r -> r.schemas().values().forEach(this::add));
    }

    /** The shared store: every released schema, plus whatever current schemas were {@link #add}ed. */
    public static WriterSchemas all() {
        return RELEASED;
    }

    /** Makes {@code schema} resolvable by its CRC-64-AVRO fingerprint. */
    public WriterSchemas add(Schema schema) {
        byFingerprint.putIfAbsent(fingerprint(schema), schema);
        return this;
    }

    @Override
    public Schema findByFingerprint(long fingerprint) {
        return byFingerprint.get(fingerprint);
    }

    /**
     * The versions of one record only: a decoder of FusionRequests given a PanelTask's bytes finds no
     * writer schema, rather than trying to resolve one record as another.
     */
    public SchemaStore of(String fullName) {
        return fingerprint -> {
            Schema schema = findByFingerprint(fingerprint);
            return schema != null && schema.getFullName().equals(fullName) ? schema : null;
        };
    }

    /** The CRC-64-AVRO fingerprint of the schema's Parsing Canonical Form, as single-object encoding writes it. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }
}
