package fusion.dataset;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One row of a dataset: the JSON object its request is read from, or, when it cannot be a request,
 * why not.
 *
 * @param unit    how the format counts its rows: "line" (JSONL) or "row" (CSV, Parquet)
 * @param number  1-based
 * @param fields  the request's fields; for a row that is no request, the JSON object it holds when one could
 *                still be read (so its error result can go under the row's own id), else null
 * @param problem null for a readable row; else the message, naming the file, the row and what to fix
 */
public record DatasetRow(String unit, int number, ObjectNode fields, String problem) {
    static DatasetRow readable(String unit, int number, ObjectNode fields) {
        return new DatasetRow(unit, number, fields, null);
    }

    static DatasetRow unreadable(String unit, int number, String problem) {
        return new DatasetRow(unit, number, null, problem);
    }

    static DatasetRow unreadable(String unit, int number, ObjectNode fields, String problem) {
        return new DatasetRow(unit, number, fields, problem);
    }

    /** The id an unreadable row's error result goes under: line-3, row-3. */
    public String placeId() {
        return unit + "-" + number;
    }
}
