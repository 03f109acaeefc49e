package fusion.dataset;

import java.nio.file.Path;

/**
 * A dataset file and how to read it: its format, which columns hold the prompt and the id, and the
 * preset of rows that name none.
 *
 * @param preset a preset name for every row without its own {@code preset}, or null
 */
public record Dataset(Path file, DatasetFormat format, DatasetColumns columns, String preset) {
    public Dataset(Path file, DatasetFormat format, DatasetColumns columns) {
        this(file, format, columns, null);
    }

    /** Told by the file's extension, with the default columns. */
    public static Dataset of(Path file) {
        return new Dataset(file, DatasetFormat.of(file), DatasetColumns.DEFAULT);
    }
}
