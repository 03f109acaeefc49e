package fusion.runtime;

import fusion.dataset.DatasetColumns;
import fusion.dataset.DatasetException;
import fusion.dataset.DatasetFormat;
import fusion.results.ResultJson;
import fusion.schema.FusionResult;
import fusion.topology.Topic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A results file as {@code fusion run} or {@code fusion collect} wrote it, read back: JSONL (one result a line) or
 * Parquet (the whole result in {@code result_json}). Told by the extension, as {@link ResultSink.Format#of} writes them.
 */
public final class FinishedResults {
    private FinishedResults() {}

    /**
     * Every result, by request id, in file order; a later result of an id stands for it.
     *
     * @throws DatasetException naming the file and the line or row that is not a result
     */
    public static Map<String, FusionResult> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new DatasetException(file + " does not exist or is not a file");
        Map<String, FusionResult> out = new LinkedHashMap<>();
        boolean parquet = ResultSink.Format.of(file) == ResultSink.Format.PARQUET;
        // read as a dataset is: a JSONL line is the result's object; a Parquet row's whole result is its result_json, taken as the prompt column
        DatasetColumns columns = parquet ? new DatasetColumns("result_json", "request_id") : DatasetColumns.DEFAULT;
        DatasetException[] bad = new DatasetException[1];
        try {
            (parquet ? DatasetFormat.PARQUET : DatasetFormat.JSONL).reader().read(file, columns, row -> {
                if (bad[0] != null) return;
                String where = file.getFileName() + " " + row.unit() + " " + row.number();
                if (row.fields() == null || (parquet && !row.fields().has("prompt"))) {
                    bad[0] = new DatasetException(parquet ? where + " has no result_json; it is not a row of a fusion results file" : row.problem());
                    return;
                }
                String json = parquet ? row.fields().get("prompt").asText() : row.fields().toString();
                try {
                    put(out, json.getBytes(StandardCharsets.UTF_8), where);
                } catch (DatasetException e) {
                    bad[0] = e;
                }
            });
        } catch (DatasetException e) {
            throw new DatasetException(file.getFileName() + " is not a fusion results file: it has no result_json column");
        }
        if (bad[0] != null) throw bad[0];
        return out;
    }

    /** Every committed result on the results topic as it stands now, by request id, with its call ledger. */
    public static Map<String, FusionResult> fromTopic(Map<String, Object> clientConfig, Topic<String, FusionResult> results) {
        Map<String, FusionResult> out = new LinkedHashMap<>();
        TopicSnapshot.read(clientConfig, results, (id, r) -> {
            if (id != null && r != null) out.put(id, r);
        });
        return out;
    }

    private static void put(Map<String, FusionResult> out, byte[] json, String where) throws DatasetException {
        try {
            FusionResult r = ResultJson.parse(json, null);
            out.remove(r.getRequestId());
            out.put(r.getRequestId(), r);
        } catch (IllegalArgumentException e) {
            throw new DatasetException(where + " is not a fusion result: " + e.getMessage());
        }
    }
}
