package fusion.connect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * A directory of dataset files (JSONL, CSV, Parquet) as requests on the pipeline's requests topic: what
 * {@code fusion submit} does for one file, kept up as files are added. Settings: {@link DatasetSourceConfig}.
 * Each task reads its own share of the files (by name), so every file is read by exactly one task.
 */
public final class DatasetSourceConnector extends SourceConnector {
    private Map<String, String> props;

    @Override
    public String version() {
        return PluginVersion.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        new DatasetSourceConfig(props); // a bad setting fails here, naming it, not in every task
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return DatasetSourceTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> tasks = new ArrayList<>();
        for (int i = 0; i < maxTasks; i++) {
            Map<String, String> task = new HashMap<>(props);
            task.put(DatasetSourceConfig.TASK_INDEX, Integer.toString(i));
            task.put(DatasetSourceConfig.TASK_COUNT, Integer.toString(maxTasks));
            tasks.add(task);
        }
        return tasks;
    }

    /** A record's offset is its file and row, the same however often the file is read: fit for exactly-once source support. */
    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.SUPPORTED;
    }

    @Override
    public void stop() {}

    @Override
    public ConfigDef config() {
        return DatasetSourceConfig.CONFIG;
    }
}
