package fusion.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.dataset.Dataset;
import fusion.dataset.DatasetRow;
import fusion.intake.FusionDefaults;
import fusion.intake.RequestFieldException;
import fusion.intake.RequestJson;
import fusion.results.FailureReason;
import fusion.results.FusionResults;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.topology.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A dataset's rows as request records, whatever the file's format. Every row is answered:
 * <ul>
 *   <li>a row that is no request at all (a JSONL line that is no JSON object, invalid UTF-8, a CSV row without a
 *   prompt) gets an invalid_request result at once, under its own id when it can still be read, else under
 *   {@code line-N};</li>
 *   <li>a row larger than the request size limit gets invalid_request under its own id and is never produced;</li>
 *   <li>a row repeating an earlier row's id with other content gets duplicate_request_id under
 *   {@code <id>~dup-line-N}; an identical repeat is sent once;</li>
 *   <li>a row in a turn an earlier row (by input order) already holds gets fusion_invocation_capped, so which
 *   row runs does not depend on partition timing;</li>
 *   <li>a row with a field of the wrong type is sent as JSON, and the pipeline answers it with an
 *   invalid_request result naming the field.</li>
 * </ul>
 */
public final class DatasetRows {
    /** The metadata key of a request's batch: the one cancellation looks up. */
    public static final String BATCH_ID = fusion.intake.Cancellations.BATCH_ID;

    private DatasetRows() {}

    /** A request ready to produce. */
    public record Row(int line, String requestId, byte[] value) {}

    /** The file read as its extension says, with the default columns. */
    public static Map<String, Row> read(Path input, String batchId, List<FusionResult> unreadable) throws IOException {
        return read(Dataset.of(input), batchId, unreadable);
    }

    /** With the default request size limit. */
    public static Map<String, Row> read(Dataset dataset, String batchId, List<FusionResult> unreadable) throws IOException {
        return read(dataset, batchId, FusionDefaults.standard(), unreadable);
    }

    /**
     * @param batchId  when set, goes to every request's metadata as batch_id
     * @param limits   whose {@code maxRequestBytes} bounds a request
     * @param answered receives the result of every row answered here, without being sent
     */
    public static Map<String, Row> read(Dataset dataset, String batchId, FusionDefaults limits, List<FusionResult> answered)
            throws IOException {
        return read(dataset, batchId, limits, answered, new HashMap<>());
    }

    /** @param rowOf receives the row number of every request and every answered row, by the id its result has */
    public static Map<String, Row> read(Dataset dataset, String batchId, FusionDefaults limits, List<FusionResult> answered,
                                        Map<String, Integer> rowOf) throws IOException {
        Map<String, Row> byId = new LinkedHashMap<>();
        read(dataset, batchId, limits, outcome -> {
            if (outcome.request() != null) {
                byId.put(outcome.request().requestId(), outcome.request());
                rowOf.put(outcome.request().requestId(), outcome.number());
            } else {
                answered.add(outcome.answer());
                rowOf.putIfAbsent(outcome.answer().getRequestId(), outcome.number());
            }
        });
        return byId;
    }

    /**
     * What one row came to, in the file's order: a request to produce, or its result, answered here. A row
     * repeating an earlier one exactly comes to nothing (it is sent once).
     *
     * @param number  the row's 1-based number in its unit
     * @param placeId {@code line-N} or {@code row-N}: the id a row without one of its own is answered under
     */
    public record Outcome(int number, String placeId, Row request, FusionResult answer) {}

    /**
     * The same rows one by one as they are read, for a reader that keeps going (the Connect source): the ids
     * and turns taken so far are those of this one pass over the file.
     */
    public static void read(Dataset dataset, String batchId, FusionDefaults limits, Consumer<Outcome> outcomes) throws IOException {
        Rows rows = new Rows(dataset.file().getFileName().toString(), limits, outcomes);
        dataset.format().reader().read(dataset.file(), dataset.columns(), r -> {
            rows.current = r;
            if (r.problem() != null) {
                rows.unreadable(r);
                return;
            }
            ObjectNode fields = r.fields();
            // Before the id is derived: the same question under another panel is another request.
            if (dataset.preset() != null && !fields.hasNonNull("preset")) fields.put("preset", dataset.preset());
            rows.add(r, fields, batchId);
        });
    }

    /** The rows so far: which ids and turns are taken, and by which row. */
    private static final class Rows {
        private final String file;
        private final FusionDefaults limits;
        private final Consumer<Outcome> outcomes;
        private final Map<String, Claim> ids = new HashMap<>();
        private final Map<String, String> turns = new HashMap<>();

        /** The first row with an id: where it is, and a digest of what it holds. */
        private record Claim(String place, String content) {}

        /** The row being read: whose outcome is told next. */
        private DatasetRow current;

        Rows(String file, FusionDefaults limits, Consumer<Outcome> outcomes) {
            this.file = file;
            this.limits = limits;
            this.outcomes = outcomes;
        }

        void unreadable(DatasetRow r) {
            String own = r.fields() == null ? null : RequestJson.ownId(r.fields());
            if (own == null) {
                answer(FusionResults.invalid(r.placeId(), null, r.problem(), now()));
                return;
            }
            if (claim(own, r, "unreadable:" + r.fields())) answer(FusionResults.invalid(own, null, r.problem(), now()));
        }

        void add(DatasetRow r, ObjectNode fields, String batchId) {
            Parsed parsed = row(r.number(), fields, batchId);
            Row row = parsed.row();
            if (!claim(row.requestId(), r, digest(row.value()))) return;
            String tooLarge = limits.sizeProblem(row.value().length);
            if (tooLarge != null) {
                answer(FusionResults.invalid(row.requestId(), null, file + " " + place(r) + ": " + tooLarge, now()));
                return;
            }
            FusionRequest request = parsed.request();
            if (request != null && request.getTurnId() != null && !request.getTurnId().isBlank()) {
                String holder = turns.putIfAbsent(request.getTurnId(), row.requestId());
                if (holder != null) {
                    answer(FusionResults.capped(request, holder, now()));
                    return;
                }
            }
            outcomes.accept(new Outcome(current.number(), current.placeId(), row, null));
        }

        /**
         * Takes {@code id} for this row. False when an earlier row has it: an identical repeat is dropped (sent once),
         * a different one is answered with duplicate_request_id under a derived id.
         */
        private boolean claim(String id, DatasetRow r, String content) {
            Claim first = ids.putIfAbsent(id, new Claim(place(r), content));
            if (first == null) return true;
            if (!first.content().equals(content)) {
                String message = file + " " + place(r) + " repeats request id '" + id + "' of " + first.place()
                        + " with other content; give each row its own id (a row repeated with the same content is sent once)";
                FusionResult duplicate = FusionResults.invalid(id + "~dup-" + r.placeId(), null, message, now());
                duplicate.setFailureReason(FailureReason.DUPLICATE_REQUEST_ID.wireName());
                answer(duplicate);
            }
            return false;
        }

        private void answer(FusionResult result) {
            outcomes.accept(new Outcome(current.number(), current.placeId(), null, result));
        }

        private static String place(DatasetRow r) {
            return r.unit() + " " + r.number();
        }

        private static long now() {
            return System.currentTimeMillis();
        }
    }

    private record Parsed(Row row, FusionRequest request) {}

    private static Parsed row(int line, ObjectNode node, String batchId) {
        String id = RequestJson.idOf(node);
        if (batchId != null) {
            JsonNode metadata = node.get("metadata");
            if (metadata == null || metadata.isNull()) metadata = node.putObject("metadata");
            if (metadata.isObject()) ((ObjectNode) metadata).put(BATCH_ID, batchId);
            // the id derived from content must not change with the batch id; an id given, even a wrong one, stays for its error
            if (!node.hasNonNull("request_id") && !node.hasNonNull("id")) node.put("request_id", id);
        }
        try {
            FusionRequest request = RequestJson.parse(node);
            return new Parsed(new Row(line, request.getRequestId(), Topics.REQUEST.encode(request)), request);
        } catch (RequestFieldException e) {
            return new Parsed(new Row(line, id, node.toString().getBytes(StandardCharsets.UTF_8)), null);
        }
    }

    private static String digest(byte[] value) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
