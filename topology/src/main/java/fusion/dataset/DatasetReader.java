package fusion.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Reads one format of dataset: every row, in order, as the JSON object a request is read from. */
public interface DatasetReader {
    /**
     * @throws DatasetException when the file as a whole cannot be a dataset (a CSV without the prompt's column)
     */
    void read(Path file, DatasetColumns columns, Consumer<DatasetRow> rows) throws IOException;
}
