package fusion.dataset;

import java.nio.file.Path;

/** A dataset file and how to read it: its format and which columns hold the prompt and the id. */
public record Dataset(Path file, DatasetFormat format, DatasetColumns columns) {
    /** Told by the file's extension, with the default columns. */
    public static Dataset of(Path file) {
        return new Dataset(file, DatasetFormat.of(file), DatasetColumns.DEFAULT);
    }
}
