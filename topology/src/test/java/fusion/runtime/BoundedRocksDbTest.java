package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;

class BoundedRocksDbTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("every RocksDB store of the app gets the bounded budget, unless kafka.rocksdb.config.setter names another")
    void setterIsTheDefaultAndKafkaSettingsWin() {
        var bounded = FusionApp.streamsProperties(FusionApp.Settings.cluster(new FusionConfig(Map.of()), "broker:9092", dir));
        assertThat(bounded.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)).isEqualTo(BoundedRocksDb.class.getName());

        var own = FusionApp.streamsProperties(FusionApp.Settings.cluster(
                new FusionConfig(Map.of("kafka.rocksdb.config.setter", "com.example.OwnSetter")), "broker:9092", dir));
        assertThat(own.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)).isEqualTo("com.example.OwnSetter");
    }

    @Test
    @DisplayName("a store's memtables are small and few, and its indexes and filters live in the shared cache")
    void storeOptionsAreBounded() {
        try (Options options = new Options().setTableFormatConfig(new BlockBasedTableConfig())) {
            new BoundedRocksDb().setConfig("fusion-seen", options, Map.of());

            assertThat(options.writeBufferSize()).isEqualTo(8L * 1024 * 1024);
            assertThat(options.maxWriteBufferNumber()).isEqualTo(2);
            BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
            assertThat(table.cacheIndexAndFilterBlocks()).isTrue();
            assertThat(table.pinTopLevelIndexAndFilter()).isTrue();
        }
    }
}
