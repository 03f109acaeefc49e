package fusion.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Kafka's, the broker's and RocksDB's own log lines go to a file in the run's state directory, not to the terminal:
 * a broker's "controller event queue overloaded" is for whoever debugs the broker, and the person running a dataset
 * sees only the project's own lines (and progress). Kept at WARN: the file is for what went wrong, not a trace.
 */
public final class LibraryLogs {
    /** The loggers of the libraries the pipeline runs on: Kafka's clients, Streams and broker, the Raft layer, RocksDB. */
    static final List<String> LIBRARIES = List.of("org.apache.kafka", "kafka", "state.change.logger", "org.rocksdb", "io.micrometer",
            "org.apache.parquet", "org.apache.hadoop");

    private static final String APPENDER = "library-file";

    private LibraryLogs() {}

    /** From now on, library log lines go to {@code file} alone; returns the file, or null when logback is not the binding. */
    public static Path to(Path file) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return null;
        file.toAbsolutePath().getParent().toFile().mkdirs();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger - %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName(APPENDER);
        appender.setFile(file.toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.start();
        for (String name : LIBRARIES) {
            Logger logger = context.getLogger(name);
            // a second run in the same JVM (tests) moves the lines to its own file, not to both
            var earlier = logger.getAppender(APPENDER);
            if (earlier != null) {
                logger.detachAppender(earlier);
                earlier.stop();
            }
            // children that logback.xml silences (ReplicaManager's retriable rejections) keep their own level
            logger.setLevel(StartupTrace.enabled() ? Level.INFO : Level.WARN);
            logger.setAdditive(false);
            logger.addAppender(appender);
        }
        return file;
    }
}
