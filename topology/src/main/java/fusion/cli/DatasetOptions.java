package fusion.cli;

import fusion.dataset.Dataset;
import fusion.dataset.DatasetColumns;
import fusion.dataset.DatasetFormat;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** How the commands that read a dataset read it: its format and the columns of the prompt and the id. */
public final class DatasetOptions {
    @Option(names = "--input-format", paramLabel = "FORMAT", converter = InputFormat.class,
            description = "jsonl, csv or parquet; default: by INPUT's extension (.csv, .parquet, anything else JSONL)")
    DatasetFormat format;

    @Option(names = "--prompt-column", paramLabel = "COLUMN", defaultValue = "prompt",
            description = "the column (CSV, Parquet) or field (JSONL) that holds the prompt (default ${DEFAULT-VALUE})")
    String promptColumn;

    @Option(names = "--id-column", paramLabel = "COLUMN", defaultValue = "id",
            description = "the column that holds the request id (default ${DEFAULT-VALUE}, else request_id); "
                    + "a row without one gets an id derived from its content, the same on a rerun")
    String idColumn;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "the panel and judge of rows that name no preset: general-high, general-budget, general-fast, or one defined "
                    + "with fusion.preset.<name>.models/.judge; a row's own analysis_models and model still win")
    String preset;

    /** A --preset that names no preset would answer every row with invalid_request: said once, before anything starts. */
    void check(fusion.runtime.FusionConfig config) {
        if (preset == null) return;
        var known = new java.util.TreeSet<>(config.presets().keySet());
        if (!known.contains(preset)) {
            throw new UsageError("--preset " + preset + " is not a preset; use one of " + String.join(", ", known)
                    + ", or define it with fusion.preset." + preset + ".models and fusion.preset." + preset + ".judge");
        }
    }

    Dataset of(Path input) {
        return new Dataset(input, format != null ? format : DatasetFormat.of(input), new DatasetColumns(promptColumn, idColumn), preset);
    }

    /** A format named as its files end, in any case: jsonl, CSV, Parquet. */
    static <E extends Enum<E>> E named(Class<E> formats, String name) {
        for (E format : formats.getEnumConstants()) {
            if (format.name().equalsIgnoreCase(name)) return format;
        }
        throw new TypeConversionException("'" + name + "' is not a format; use one of "
                + Arrays.stream(formats.getEnumConstants()).map(f -> f.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    }

    static final class InputFormat implements ITypeConverter<DatasetFormat> {
        @Override
        public DatasetFormat convert(String name) {
            return named(DatasetFormat.class, name);
        }
    }
}
