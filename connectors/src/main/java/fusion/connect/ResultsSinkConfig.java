package fusion.connect;

import fusion.runtime.FusionConfig;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The results sink's settings. The topic is Connect's own {@code topics} setting; every {@code fusion.*} setting
 * (the Schema Registry) means what it means to the pipeline.
 */
public final class ResultsSinkConfig extends AbstractConfig {
    public static final String FILE = "fusion.results.file";
    public static final String PARQUET_MAX_ROWS = "fusion.results.parquet.max-rows-per-file";
    public static final String REGISTRY_URL = fusion.topology.WireFormat.REGISTRY_URL;
    public static final String REGISTRY_USER_INFO = fusion.topology.WireFormat.REGISTRY_USER_INFO;

    /** The consumer setting (Connect's per-connector override) that keeps results of aborted transactions out. */
    public static final String ISOLATION_OVERRIDE = "consumer.override.isolation.level";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(FILE, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "The results file: one result per line in the Fusion tool-result JSON shape, as fusion run writes it, and "
                            + "one line per request id however often a result is read again (after a restart or a rebalance). "
                            + "Its directory is created if missing. A name ending in .parquet is a Parquet dataset directory instead: "
                            + "part-NNNNN.parquet files with the columns of fusion run --out x.parquet, one part per offset commit "
                            + "that follows new results, read as one table by pyarrow, DuckDB, Spark and pandas.")
            .define(PARQUET_MAX_ROWS, Type.INT, 100_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "A Parquet dataset's part holds at most this many results; the next result starts a new part. "
                    + "Rows wait in memory (in the Parquet writer) until their part is written, at the latest at the next offset commit.")
            .define(REGISTRY_URL, Type.STRING, "", Importance.MEDIUM,
                    "The Confluent-compatible Schema Registry the pipeline writes with, to read registry-framed results; "
                            + "results in Avro single-object encoding or JSON are read without one.")
            .define(REGISTRY_USER_INFO, Type.PASSWORD, null, Importance.LOW, "user:password for the Schema Registry, if it asks.");

    public ResultsSinkConfig(Map<String, String> props) {
        super(CONFIG, props);
    }

    Path file() {
        return Path.of(getString(FILE));
    }

    int parquetMaxRowsPerFile() {
        return getInt(PARQUET_MAX_ROWS);
    }

    /** The pipeline's own reading of every fusion.* setting. */
    FusionConfig fusion() {
        return FusionSettings.of(this);
    }
}
