package fusion.cli;

import fusion.runtime.ResultSink;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** How the commands that write a results file write it. */
public final class ResultFileOptions {
    @Option(names = "--output-format", paramLabel = "FORMAT", converter = OutputFormat.class,
            description = {"jsonl or parquet; default: by --out's extension (.parquet, anything else JSONL).",
                    "JSONL is flushed as results come; Parquet is written when the command ends (progress does not flush it), "
                            + "and replaces --out only then. fusion run leaves either in input order."})
    ResultSink.Format format;

    ResultSink.Format formatOf(Path out) {
        return format != null ? format : ResultSink.Format.of(out);
    }

    ResultSink open(Path out) throws IOException {
        return ResultSink.open(out, formatOf(out));
    }

    static final class OutputFormat implements ITypeConverter<ResultSink.Format> {
        @Override
        public ResultSink.Format convert(String name) {
            return DatasetOptions.named(ResultSink.Format.class, name);
        }
    }
}
