package fusion.runtime;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

/**
 * One bounded budget of off-heap memory for every RocksDB store of the process, as Kafka Streams'
 * memory-management guide describes: a shared block cache, with the memtables charged to it by a
 * shared write-buffer manager. Left to its defaults each store instance (every persistent store
 * times every partition, plus the global stores) takes its own 50 MB cache and up to three 16 MB
 * memtables, which at 100,000 requests held hundreds of MB resident.
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {
    /** Everything RocksDB may hold in memory: blocks, indexes, filters and memtables. */
    static final long TOTAL_BYTES = 64L * 1024 * 1024;
    /** The part of it the memtables may take. */
    static final long MEMTABLE_BYTES = 32L * 1024 * 1024;
    private static final long MEMTABLE_SIZE = 8L * 1024 * 1024;

    /** Shared by every store, so never closed by one of them; made when the first store opens, once RocksDB's library is loaded. */
    private static final class Budget {
        static final Cache CACHE;
        static final WriteBufferManager WRITE_BUFFERS;

        static {
            RocksDB.loadLibrary();
            CACHE = new LRUCache(TOTAL_BYTES, -1, false, 0.1);
            WRITE_BUFFERS = new WriteBufferManager(MEMTABLE_BYTES, CACHE);
        }
    }

    /**
     * Loads RocksDB's native library on a thread of its own. The first load unpacks a 15 MB library from its jar into
     * the temporary directory, a few hundred milliseconds that otherwise pass on the streams app's start, before its
     * global stores open; begun while the broker starts, they pass there. A store that opens meanwhile waits for it.
     */
    public static void loadInBackground() {
        Thread thread = new Thread(() -> {
            java.util.Objects.requireNonNull(Budget.CACHE); // the budget's first use loads the library
            StartupTrace.mark("RocksDB loaded");
        }, "rocksdb-load");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(Budget.CACHE);
        // Indexes and filters count against the cache too, or they grow with the data outside any bound.
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setTableFormatConfig(table);
        options.setWriteBufferManager(Budget.WRITE_BUFFERS);
        options.setWriteBufferSize(MEMTABLE_SIZE);
        options.setMaxWriteBufferNumber(2);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and the write-buffer manager outlive any one store
    }
}
