package fusion.records;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * One released set of .avsc files, parsed together in load order.
 *
 * @param tag     the git tag, e.g. {@code v0.1.0}
 * @param commit  the commit the tag names (the fallback where tags did not travel with a clone)
 * @param schemas each file's top-level schema, by file (e.g. {@code common/d_CallOutcome.avsc}), in load order
 */
public record Release(String tag, String commit, Map<String, Schema> schemas) {
    public Release {
        schemas = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(schemas));
    }

    /** The files in load order. */
    public List<String> files() {
        return List.copyOf(schemas.keySet());
    }

    /** This release's version of the record {@code fullName} (e.g. {@code fusion.schema.CallOutcome}), if it had one at top level. */
    public Optional<Schema> record(String fullName) {
        return schemas.values().stream().filter(s -> s.getFullName().equals(fullName)).findFirst();
    }
}
