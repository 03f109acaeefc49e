package fusion.dataset;

import java.nio.file.Path;
import java.util.Locale;

/** How a dataset file is laid out. Unless named, it is told by the file's extension. */
public enum DatasetFormat {
    /** One JSON object a line (.jsonl, .ndjson, .json, and any other extension). */
    JSONL,
    /** A header row naming the columns, then one row a request (.csv). */
    CSV,
    /** A Parquet table, one row a request (.parquet). */
    PARQUET;

    public static DatasetFormat of(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) return CSV;
        if (name.endsWith(".parquet")) return PARQUET;
        return JSONL;
    }

    public DatasetReader reader() {
        return switch (this) {
            case JSONL -> new JsonlDataset();
            case CSV -> new CsvDataset();
            case PARQUET -> new ParquetDataset();
        };
    }
}
