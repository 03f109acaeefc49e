package fusion.cli;

import fusion.runtime.EmbeddedBroker;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The embedded broker as {@code run} and {@code broker} start it. Its classes (module broker, with Kafka's Scala
 * server) are packaged apart, in topology/target/broker-lib, and the lean set that serve, submit, collect, status and
 * cancel run on goes without them. So no command's own fields or method signatures name {@link EmbeddedBroker} (the
 * CLI reflects on every command at start), and a start without those jars says what to do in a line.
 */
final class LocalBroker implements AutoCloseable {
    /** A class of fusion-broker and one of Kafka's server, which it needs: both must be there. */
    private static final String[] NEEDED = {"fusion.runtime.EmbeddedBroker", "kafka.server.KafkaRaftServer"};

    private final EmbeddedBroker broker;

    private LocalBroker(EmbeddedBroker broker) {
        this.broker = broker;
    }

    /**
     * Starts the broker whose data lives under {@code dir} (see {@link EmbeddedBroker#start(Path, Integer)}).
     *
     * @throws UsageError when the broker's jars are not on the class path
     */
    static LocalBroker start(String command, Path dir, Integer port) throws IOException {
        prepare(command);
        return new LocalBroker(EmbeddedBroker.start(dir, port));
    }

    /**
     * Starts the broker on a thread of its own (see {@link EmbeddedBroker#startInBackground(Path)}), so the caller starts
     * its other parts meanwhile.
     *
     * @throws UsageError when the broker's jars are not on the class path
     */
    static Starting startInBackground(String command, Path dir) {
        prepare(command);
        return new Starting(EmbeddedBroker.startInBackground(dir));
    }

    /** A broker on its way up; closed without {@link #get()}, it stops the broker once it is up. */
    static final class Starting implements AutoCloseable {
        private final EmbeddedBroker.Starting starting;

        private Starting(EmbeddedBroker.Starting starting) {
            this.starting = starting;
        }

        LocalBroker get() throws IOException, InterruptedException {
            return new LocalBroker(starting.get());
        }

        @Override
        public void close() {
            starting.close();
        }
    }

    /** Checks the jars are there, then has the broker tell its start's steps to the start-up trace. */
    private static void prepare(String command) {
        require(command);
        EmbeddedBroker.reportStepsTo(fusion.runtime.StartupTrace::mark);
    }

    static void require(String command) {
        for (String name : NEEDED) {
            try {
                Class.forName(name, false, LocalBroker.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new UsageError("this command starts an embedded Kafka broker, and its jars (topology/target/broker-lib) are not on the "
                        + "class path; run it as ./fusion " + command + ", which adds them, or use serve and submit with --bootstrap-servers");
            }
        }
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    @Override
    public void close() {
        broker.close();
    }
}
