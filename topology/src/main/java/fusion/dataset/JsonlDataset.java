package fusion.dataset;

import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.intake.RequestJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * One JSON object a line, with the spec's parameter names; blank lines are skipped. Each line is
 * decoded on its own (strict UTF-8), so a bad byte or a broken line costs that row only, never the run.
 */
final class JsonlDataset implements DatasetReader {
    @Override
    public void read(Path file, DatasetColumns columns, Consumer<DatasetRow> rows) throws IOException {
        byte[] bytes = DatasetBytes.utf8(file);
        int n = 0;
        int start = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') end++;
            n++;
            int stop = end > start && bytes[end - 1] == '\r' ? end - 1 : end; // CRLF
            if (!blank(bytes, start, stop)) rows.accept(row(file, columns, n, bytes, start, stop - start));
            start = end + 1;
        }
    }

    private static DatasetRow row(Path file, DatasetColumns columns, int n, byte[] bytes, int start, int length) {
        RequestJson.ObjectText read = RequestJson.readObject(bytes, start, length);
        ObjectNode object = read.object() == null ? null : columns.renamed(read.object());
        if (read.clean()) return DatasetRow.readable("line", n, object);
        return DatasetRow.unreadable("line", n, object, file.getFileName() + " line " + n + " " + read.problem());
    }

    private static boolean blank(byte[] bytes, int start, int stop) {
        for (int i = start; i < stop; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != '\r') return false;
        }
        return true;
    }
}
