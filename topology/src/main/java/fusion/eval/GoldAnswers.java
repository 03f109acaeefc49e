package fusion.eval;

import com.fasterxml.jackson.databind.JsonNode;
import fusion.dataset.DatasetColumns;
import fusion.dataset.DatasetException;
import fusion.dataset.DatasetFormat;
import fusion.dataset.DatasetRow;
import fusion.intake.RequestJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gold answers of a dataset: a JSONL, CSV or Parquet file with an id and a gold answer per row, read by the same
 * readers as datasets are (the gold column in the place of the prompt's). The first problem stops the eval: a score
 * against a gold file read in part would mislead.
 */
public final class GoldAnswers {
    private GoldAnswers() {}

    /**
     * Gold answer by id, in file order.
     *
     * @throws DatasetException naming the file, the line or row, and the column, when a row has no id or no gold answer,
     *                          an id is given twice, or the file is not JSONL, CSV or Parquet as its extension says
     */
    public static Map<String, Gold> read(Path file, DatasetFormat format, String idColumn, String goldColumn) throws IOException {
        if (!Files.isRegularFile(file)) throw new DatasetException("--gold " + file + " does not exist or is not a file");
        Map<String, Gold> out = new LinkedHashMap<>();
        DatasetException[] bad = new DatasetException[1];
        // a JSONL row is read as it is; a table row with the gold column in the prompt's place (its own prompt column, if any, goes to metadata)
        boolean table = format != DatasetFormat.JSONL;
        try {
            format.reader().read(file, table ? new DatasetColumns(goldColumn, idColumn) : DatasetColumns.DEFAULT, row -> {
                if (bad[0] == null) bad[0] = add(out, file, row, table, idColumn, goldColumn);
            });
        } catch (DatasetException e) {
            // the dataset reader names the missing column as the prompt's; here it holds the gold answers
            throw new DatasetException(e.getMessage().replace(" for the prompt;", " for the gold answers;")
                    .replace("Name the prompt's column with --prompt-column", "Name the gold answers' column with --gold-column"));
        }
        if (bad[0] != null) throw bad[0];
        if (out.isEmpty()) throw new DatasetException(file.getFileName() + " has no gold answer; give one row per id, with '" + idColumn + "' and '" + goldColumn + "'");
        return out;
    }

    /** @param question the row's question when the gold file has it ({@code prompt}), else null */
    public record Gold(String answer, String question) {}

    private static DatasetException add(Map<String, Gold> out, Path file, DatasetRow row, boolean table, String idColumn, String goldColumn) {
        String where = file.getFileName() + " " + row.unit() + " " + row.number();
        if (row.fields() == null && row.problem() != null && row.problem().contains("has no prompt")) {
            return new DatasetException(where + " has no gold answer: its '" + goldColumn + "' column is empty; fill it in, or name the column with --gold-column");
        }
        if (row.fields() == null) return new DatasetException(row.problem());
        JsonNode given = row.fields().get(idColumn);
        String id = table || given == null || !given.isValueNode() || given.asText().isBlank() ? RequestJson.ownId(row.fields()) : given.asText();
        if (id == null) {
            return new DatasetException(where + " has no id: its '" + idColumn + "' column is empty or missing; give the id of the result it grades, "
                    + "or name the column with --id-column");
        }
        JsonNode gold = row.fields().get(table ? "prompt" : goldColumn);
        JsonNode question = table ? row.fields().path("metadata").get("prompt") : row.fields().get("prompt");
        if (gold == null || gold.isNull() || (gold.isTextual() && gold.asText().isBlank())) {
            return new DatasetException(where + " has no gold answer: its '" + goldColumn + "' column is empty or missing; fill it in, or name the "
                    + "column with --gold-column");
        }
        Gold g = new Gold(gold.isValueNode() ? gold.asText() : gold.toString(), question != null && question.isTextual() ? question.asText() : null);
        if (out.putIfAbsent(id, g) != null) {
            return new DatasetException(where + " gives a second gold answer for id '" + id + "'; give each id once");
        }
        return null;
    }
}
