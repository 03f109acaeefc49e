package fusion.connect;

import fusion.dataset.Dataset;
import fusion.dataset.DatasetColumns;
import fusion.dataset.DatasetFormat;
import fusion.runtime.FusionConfig;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The dataset source's settings. The column settings are {@code fusion run}'s options ({@code --prompt-column},
 * {@code --id-column}, {@code --input-format}, {@code --preset}); every other {@code fusion.*} setting (the topic
 * prefix, the Schema Registry, the request size limit, presets) means what it means to the pipeline.
 */
public final class DatasetSourceConfig extends AbstractConfig {
    public static final String DIR = "fusion.dataset.dir";
    public static final String FORMAT = "fusion.dataset.format";
    public static final String PROMPT_COLUMN = "fusion.dataset.prompt-column";
    public static final String ID_COLUMN = "fusion.dataset.id-column";
    public static final String PRESET = "fusion.dataset.preset";
    public static final String POLL_MS = "fusion.dataset.poll-ms";
    public static final String BATCH_SIZE = "fusion.dataset.batch-size";
    public static final String BATCH_ID = "fusion.batch.id";
    public static final String TOPIC_PREFIX = "fusion.topic.prefix";
    public static final String REGISTRY_URL = fusion.topology.WireFormat.REGISTRY_URL;
    public static final String REGISTRY_USER_INFO = fusion.topology.WireFormat.REGISTRY_USER_INFO;
    public static final String MAX_REQUEST_BYTES = fusion.intake.FusionDefaults.MAX_REQUEST_BYTES_SETTING;

    /** Set by the connector for each task: which share of the files it reads. */
    static final String TASK_INDEX = "fusion.dataset.task-index";
    static final String TASK_COUNT = "fusion.dataset.task-count";
    /** Set by the connector for each task: the batch id when none is configured (the connector's name). */
    static final String CONNECTOR_NAME = "name";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(DIR, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "The directory whose dataset files (JSONL, CSV, Parquet) are read, one request per row. It is polled: a file "
                            + "added later is read too, and rows appended to a file are read from where it ended. Files whose names "
                            + "start with '.' or end in .tmp or .partial are left alone until renamed.")
            .define(FORMAT, Type.STRING, "", ConfigDef.ValidString.in("", "jsonl", "csv", "parquet"), Importance.MEDIUM,
                    "jsonl, csv or parquet for every file; empty: by each file's extension (.csv, .parquet, anything else JSONL), "
                            + "as fusion run --input-format.")
            .define(PROMPT_COLUMN, Type.STRING, DatasetColumns.DEFAULT.prompt(), new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "The column (CSV, Parquet) or field (JSONL) that holds the prompt, as fusion run --prompt-column.")
            .define(ID_COLUMN, Type.STRING, DatasetColumns.DEFAULT.id(), new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "The column that holds the request id (else request_id), as fusion run --id-column. A row without one gets an "
                            + "id derived from its content, the same every time.")
            .define(PRESET, Type.STRING, "", Importance.LOW,
                    "The preset (panel and judge) of rows that name none, as fusion run --preset; empty: the pipeline's default.")
            .define(BATCH_ID, Type.STRING, "", Importance.MEDIUM,
                    "Goes to every request's metadata as batch_id, which fusion status, collect and cancel take; empty: the "
                            + "connector's name.")
            .define(POLL_MS, Type.LONG, 1_000L, ConfigDef.Range.atLeast(10), Importance.LOW,
                    "How often the directory is looked at for new or grown files, in milliseconds. A file is read once it is "
                            + "unchanged between two looks, so a file still being copied in is not read half-written.")
            .define(BATCH_SIZE, Type.INT, 500, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "At most this many records are handed to the worker in one poll.")
            .define(TOPIC_PREFIX, Type.STRING, fusion.topology.Topics.DEFAULT_PREFIX, Importance.MEDIUM,
                    "The pipeline's topic prefix: requests go to its requests topic (fusion.requests by default), the results of "
                            + "rows answered at once (unreadable rows, repeated ids) to its results topic (fusion.results).")
            .define(REGISTRY_URL, Type.STRING, "", Importance.MEDIUM,
                    "A Confluent-compatible Schema Registry: requests are then written in its framing, as fusion submit writes them; "
                            + "empty: Avro single-object encoding.")
            .define(REGISTRY_USER_INFO, Type.PASSWORD, null, Importance.LOW, "user:password for the Schema Registry, if it asks.")
            .define(MAX_REQUEST_BYTES, Type.INT, fusion.intake.FusionDefaults.MAX_REQUEST_BYTES, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "A row larger than this is answered with invalid_request and never produced, as in fusion run.");

    public DatasetSourceConfig(Map<String, String> props) {
        super(CONFIG, props);
    }

    Path dir() {
        return Path.of(getString(DIR));
    }

    /** How {@code file} is read: as configured, else by its extension, with the configured columns and preset. */
    Dataset dataset(Path file) {
        String format = getString(FORMAT);
        DatasetFormat f = format.isEmpty() ? DatasetFormat.of(file) : DatasetFormat.valueOf(format.toUpperCase(Locale.ROOT));
        String preset = getString(PRESET);
        return new Dataset(file, f, new DatasetColumns(getString(PROMPT_COLUMN), getString(ID_COLUMN)), preset.isEmpty() ? null : preset);
    }

    String batchId() {
        String batch = getString(BATCH_ID);
        if (!batch.isBlank()) return batch;
        String name = originalsStrings().get(CONNECTOR_NAME);
        if (name == null || name.isBlank()) throw new ConfigException(BATCH_ID, batch, "set it, or run the connector under a name");
        return name;
    }

    /** The pipeline's own reading of every fusion.* setting, as fusion submit would have it. */
    FusionConfig fusion() {
        return FusionSettings.of(this);
    }

    int taskIndex() {
        return Integer.parseInt(originalsStrings().getOrDefault(TASK_INDEX, "0"));
    }

    int taskCount() {
        return Integer.parseInt(originalsStrings().getOrDefault(TASK_COUNT, "1"));
    }
}
