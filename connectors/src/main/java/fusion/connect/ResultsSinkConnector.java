package fusion.connect;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's results topic as a results file, as {@code fusion run --out} writes it: one line per request id, or
 * for a path ending in .parquet one row per request id in a Parquet dataset directory ({@link ParquetResultsDataset}).
 * Settings: {@link ResultsSinkConfig}. One task, whatever tasks.max says: one file has one writer.
 */
public final class ResultsSinkConnector extends SinkConnector {
    private static final Logger log = LoggerFactory.getLogger(ResultsSinkConnector.class);

    private Map<String, String> props;

    @Override
    public String version() {
        return PluginVersion.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        new ResultsSinkConfig(props); // a bad setting fails here, naming it, not in the task
        if (!"read_committed".equals(props.get(ResultsSinkConfig.ISOLATION_OVERRIDE))) {
            // The pipeline writes results in transactions; a consumer that is not read_committed also sees aborted ones.
            log.warn("{} is not read_committed: results of aborted transactions may reach the file; set {}=read_committed",
                    ResultsSinkConfig.ISOLATION_OVERRIDE, ResultsSinkConfig.ISOLATION_OVERRIDE);
        }
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return ResultsSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return List.of(props);
    }

    @Override
    public void stop() {}

    @Override
    public ConfigDef config() {
        return ResultsSinkConfig.CONFIG;
    }
}
