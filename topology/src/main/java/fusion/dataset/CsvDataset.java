package fusion.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A CSV table (RFC 4180: quoted cells may hold commas, quotes and newlines) whose first row names
 * the columns. Rows are counted from the first after the header; messages give the line too.
 */
final class CsvDataset implements DatasetReader {
    private static final CsvMapper CSV = CsvMapper.builder()
            .enable(CsvParser.Feature.WRAP_AS_ARRAY)
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES)
            .build();

    @Override
    public void read(Path file, DatasetColumns columns, Consumer<DatasetRow> rows) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             MappingIterator<String[]> table = CSV.readerFor(String[].class).readValues(in)) {
            if (!table.hasNextValue()) return;
            String[] header = names(table.nextValue());
            columns.requirePromptColumn(file, Arrays.asList(header));
            int n = 0;
            while (table.hasNextValue()) {
                long line = table.getCurrentLocation().getLineNr();
                String[] cells = table.nextValue();
                n++;
                String where = file.getFileName() + " row " + n + " (line " + line + ")";
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
