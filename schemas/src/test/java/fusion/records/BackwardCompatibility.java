package fusion.records;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/**
 * The build's evolution rule, in Avro's own terms: each current record must read every record a
 * release wrote ({@code SchemaCompatibility.checkReaderWriterCompatibility(current, released)}).
 */
final class BackwardCompatibility {
    private BackwardCompatibility() {}

    /** One way a current .avsc cannot read what a release wrote, said so that the fix is plain. */
    record Problem(String file, String record, String release, String field, String what, String fix) {
        @Override
        public String toString() {
            return file + " (" + record + ") cannot read what " + release + " wrote: " + (field.isEmpty() ? "" : "field " + field + ": ")
                    + what + ". Fix: " + fix + ".";
        }
    }

    /** Every problem of the current files (file → schema) against every release that had the same record. */
    static List<Problem> check(Map<String, Schema> current, List<Release> releases) {
        List<Problem> problems = new ArrayList<>();
        for (var file : current.entrySet()) {
            Schema reader = file.getValue();
            for (Release release : releases) {
                release.record(reader.getFullName()).ifPresent(writer -> {
                    var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
                    for (Incompatibility i : result.getIncompatibilities()) {
                        problems.add(new Problem(file.getKey(), reader.getFullName(), release.tag(), fieldAt(reader, i.getLocation()),
                                what(i), fix(i)));
                    }
                });
            }
        }
        return problems;
    }

    private static String what(Incompatibility i) {
        return switch (i.getType()) {
            case READER_FIELD_MISSING_DEFAULT_VALUE -> "it is new and has no default";
            case MISSING_ENUM_SYMBOLS -> "the enum lacks released symbols " + i.getMessage();
            default -> i.getMessage();
        };
    }

    private static String fix(Incompatibility i) {
        return switch (i.getType()) {
            case READER_FIELD_MISSING_DEFAULT_VALUE -> "give the new field a \"default\" (null for an optional [\"null\", ...] field, "
                    + "listed first in its union), so records written without it still read";
            case MISSING_ENUM_SYMBOLS -> "keep every released symbol, or give the enum a \"default\" symbol that unknown ones read as";
            case NAME_MISMATCH -> "keep the released name, or list it in the type's \"aliases\"";
            case MISSING_UNION_BRANCH -> "keep every branch of the released union, and make its records read what was released "
                    + "(see the problems named for those records)";
            case TYPE_MISMATCH -> "keep the released type (Avro promotes int to long, float or double, and string to bytes), "
                    + "or add a new field with a default instead of changing this one";
            case FIXED_SIZE_MISMATCH -> "keep the released size of the fixed type";
            default -> "make the change BACKWARD compatible (see Avro's schema resolution rules)";
        };
    }

    /**
     * The dotted field path that an incompatibility's location (a JSON pointer into the reader schema,
     * e.g. {@code /fields/3/type/fields/1}) points at; empty when it names no field.
     */
    static String fieldAt(Schema reader, String location) {
        List<String> path = new ArrayList<>();
        Schema at = reader;
        String[] steps = location.split("/");
        for (int s = 1; s < steps.length && at != null; s++) {
            switch (steps[s]) {
                case "fields" -> {
                    if (s + 1 >= steps.length || at.getType() != Schema.Type.RECORD) return String.join(".", path);
                    Schema.Field field = at.getFields().get(Integer.parseInt(steps[++s]));
                    path.add(field.name());
                    at = field.schema();
                }
                case "items" -> at = at.getType() == Schema.Type.ARRAY ? at.getElementType() : null;
                case "values" -> at = at.getType() == Schema.Type.MAP ? at.getValueType() : null;
                case "type" -> {
                    // a union branch follows as a number; any other type steps through
                    if (at.getType() == Schema.Type.UNION && s + 1 < steps.length && steps[s + 1].matches("\\d+")) {
                        at = at.getTypes().get(Integer.parseInt(steps[++s]));
                    }
                }
                default -> {
                    if (at.getType() == Schema.Type.UNION && steps[s].matches("\\d+")) at = at.getTypes().get(Integer.parseInt(steps[s]));
                    else at = null;
                }
            }
            while (at != null && at.getType() == Schema.Type.UNION && s + 1 < steps.length && steps[s + 1].equals("fields")) {
                // an optional record: ["null", {record}] steps into the record
                at = at.getTypes().stream().filter(t -> t.getType() == Schema.Type.RECORD).findFirst().orElse(null);
            }
        }
        return String.join(".", path);
    }
}
