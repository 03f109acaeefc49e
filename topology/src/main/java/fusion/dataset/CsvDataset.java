package fusion.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A CSV table (RFC 4180: quoted cells may hold commas, quotes and newlines) whose first row names
 * the columns. Rows are counted from the first after the header; messages give the line too. The
 * file is UTF-8 (a byte-order mark is dropped); a row holding invalid UTF-8 is answered on its own.
 */
final class CsvDataset implements DatasetReader {
    private static final CsvMapper CSV = CsvMapper.builder()
            .enable(CsvParser.Feature.WRAP_AS_ARRAY)
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES)
            .build();

    @Override
    public void read(Path file, DatasetColumns columns, Consumer<DatasetRow> rows) throws IOException {
        DatasetBytes.Text text = DatasetBytes.text(DatasetBytes.utf8(file));
        try (Reader in = new StringReader(text.text());
             MappingIterator<String[]> table = CSV.readerFor(String[].class).readValues(in)) {
            if (!table.hasNextValue()) return;
            String[] header = names(table.nextValue());
            columns.requirePromptColumn(file, Arrays.asList(header));
            int n = 0;
            while (table.hasNextValue()) {
                long line = table.getCurrentLocation().getLineNr();
                long from = table.getCurrentLocation().getCharOffset();
                String[] cells = table.nextValue();
                n++;
                String where = file.getFileName() + " row " + n + " (line " + line + ")";
                String badBytes = text.problemBetween(from, table.getCurrentLocation().getCharOffset());
                if (badBytes != null) {
                    rows.accept(DatasetRow.unreadable("row", n, where + " " + badBytes));
                    continue;
                }
                if (cells.length > header.length) {
                    rows.accept(DatasetRow.unreadable("row", n, where + " has " + cells.length + " cells but the header names "
                            + header.length + " columns; quote a cell that holds a comma (\"a, b\")"));
                    continue;
                }
                Map<String, JsonNode> byColumn = new LinkedHashMap<>();
                for (int i = 0; i < cells.length; i++) byColumn.put(header[i], TextNode.valueOf(cells[i]));
                rows.accept(columns.row(n, where, byColumn));
            }
        }
    }

    /** The header's names; a spreadsheet's byte-order mark is dropped and an unnamed column is column_N. */
    private static String[] names(String[] header) {
        String[] names = header.clone();
        if (names.length > 0 && names[0].startsWith("\uFEFF")) names[0] = names[0].substring(1);
        for (int i = 0; i < names.length; i++) {
            names[i] = names[i].trim();
            if (names[i].isEmpty()) names[i] = "column_" + (i + 1);
        }
        return names;
    }
}
