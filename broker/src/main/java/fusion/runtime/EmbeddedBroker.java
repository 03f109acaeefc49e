package fusion.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft broker in this JVM for {@code fusion run}. Its log directory lives in the
 * run's state directory and is formatted once, so a rerun finds its topics, committed offsets,
 * changelogs and the results already written.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);
    /** Where the start's steps are told (the CLI's start-up trace); this module knows nothing of the CLI. */
    private static volatile java.util.function.Consumer<String> steps = step -> {};

    /** Tells each step of a start ("broker started", "broker coordinators ready") to {@code trace}. */
    public static void reportStepsTo(java.util.function.Consumer<String> trace) {
        steps = trace;
    }
    private static final String CLUSTER_ID_FILE = "cluster.id";

    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private EmbeddedBroker(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts a broker whose data lives under {@code dir}, formatting it on first use. */
    public static EmbeddedBroker start(Path dir) throws IOException {
        return start(dir, null);
    }

    /**
     * The same, on a thread of its own: the seconds a start takes (most of them loading the broker's classes and
     * electing its controller) pass while the caller reads its dataset and starts its simulator.
     */
    public static Starting startInBackground(Path dir) {
        CompletableFuture<EmbeddedBroker> start = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                start.complete(start(dir));
            } catch (Throwable e) {
                start.completeExceptionally(e);
            }
        }, "embedded-broker-start");
        thread.start();
        return new Starting(start);
    }

    /** A broker on its way up. Closed without {@link #get()}, it stops the broker once it is up: never half started. */
    public static final class Starting implements AutoCloseable {
        private final CompletableFuture<EmbeddedBroker> start;
        private boolean taken;

        private Starting(CompletableFuture<EmbeddedBroker> start) {
            this.start = start;
        }

        /** Waits until the broker is up; the caller closes it from then on. */
        public EmbeddedBroker get() throws IOException, InterruptedException {
            try {
                EmbeddedBroker broker = start.get();
                taken = true;
                return broker;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) throw io;
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error error) throw error;
                throw new IllegalStateException(e.getCause());
            }
        }

        @Override
        public void close() {
            if (taken) return;
            try {
                start.join().close();
            } catch (java.util.concurrent.CompletionException failed) {
                // it did not start: nothing to stop, and the caller is already on its way out with its own error
            }
        }
    }

    /**
     * The same, with clients' port {@code clientPort} (null: the last start's, when still free, else any free one).
     *
     * @throws IOException when {@code clientPort} is taken
     */
    public static EmbeddedBroker start(Path dir, Integer clientPort) throws IOException {
        Files.createDirectories(dir);
        Path logDir = dir.resolve("log");
        int[] ports = ports(dir.resolve("ports"));
        if (clientPort != null && clientPort != ports[0]) {
            if (!free(clientPort)) throw new IOException("port " + clientPort + " on 127.0.0.1 is taken; pass another --port, or none for a free one");
            ports[0] = clientPort;
            if (ports[1] == clientPort) ports[1] = freePort();
            Files.writeString(dir.resolve("ports"), ports[0] + " " + ports[1] + "\n", StandardCharsets.UTF_8);
        }
        int port = ports[0];
        int controllerPort = ports[1];
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // The cleaner's default dedupe buffer costs ~150 MB; results and changelogs are small.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        p.put("auto.create.topics.enable", "false");
        // After kill -9 the controller waits out the dead incarnation's session before the broker is ready again:
        // a single in-process node needs no 9 s grace.
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("broker.session.timeout.ms", "2000");
        KafkaConfig config = KafkaConfig.fromProps(p);
        format(dir, logDir, config);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        steps.accept("broker started");
        String bootstrap = "127.0.0.1:" + port;
        log.info("embedded Kafka broker on {}, data in {}", bootstrap, logDir);
        abortHangingTransactions(bootstrap);
        steps.accept("broker checked for hanging transactions");
        warmCoordinators(bootstrap);
        return new EmbeddedBroker(server, bootstrap);
    }

    /** Before any client of this broker runs: a kill -9 can leave transactions that nothing would ever finish. */
    private static void abortHangingTransactions(String bootstrap) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            HangingTransactions.abortAll(admin);
        } catch (ExecutionException e) {
            log.warn("could not check the embedded broker for transactions a killed run left open ({}); a start that waits on them "
                    + "says so, and the same command resumes", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The broker creates its offsets and transaction topics when a client first looks for a coordinator, and a
     * client that asks then is told to come back (not the coordinator; loading) until they are loaded. Asking at once,
     * on a thread of its own, makes them while the caller creates its topics, so the streams app's first rebalance
     * and its first transaction find them ready. Only a look-up: the group and the transactional id asked for are none
     * that exist, and a failure here only means a client asks again later, as it would have anyway.
     */
    private static void warmCoordinators(String bootstrap) {
        Thread thread = new Thread(() -> {
            Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
            try {
                for (KafkaFuture<?> lookUp : java.util.List.of(admin.describeConsumerGroups(java.util.List.of(WARM_UP_ID)).all(),
                        admin.describeTransactions(java.util.Set.of(WARM_UP_ID)).all())) {
                    try {
                        lookUp.get(10, TimeUnit.SECONDS);
                    } catch (ExecutionException | TimeoutException answered) {
                        // "no such group", "no such transactional id": the coordinator answered, so it is ready
                    }
                }
                steps.accept("broker coordinators ready");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                admin.close(java.time.Duration.ZERO);
            }
        }, "embedded-broker-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    private static final String WARM_UP_ID = "fusion-embedded-broker-warm-up";

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    private static void format(Path dir, Path logDir, KafkaConfig config) throws IOException {
        Path idFile = dir.resolve(CLUSTER_ID_FILE);
        String clusterId;
        if (Files.exists(idFile)) {
            clusterId = Files.readString(idFile).trim();
        } else {
            clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
            Files.writeString(idFile, clusterId);
        }
        Path props = dir.resolve("format.properties");
        StringBuilder sb = new StringBuilder();
        config.originals().forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        Files.writeString(props, sb.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = StorageTool.execute(new String[] {
                "format", "--config", props.toString(), "--cluster-id", clusterId, "--ignore-formatted"},
                new PrintStream(out, true, StandardCharsets.UTF_8));
        if (code != 0) {
            throw new IOException("formatting the embedded broker's storage in " + logDir + " failed: " + out.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * The ports of the last start when they are still free, else new ones, remembered for next time. The
     * broker's own metadata names its listener: a restart on the same ports is not left calling the old one
     * (after kill -9 its transaction markers went to the dead port for seconds).
     */
    private static int[] ports(Path file) throws IOException {
        if (Files.isRegularFile(file)) {
            try {
                String[] saved = Files.readString(file, StandardCharsets.UTF_8).trim().split("\\s+");
                int[] ports = {Integer.parseInt(saved[0]), Integer.parseInt(saved[1])};
                if (free(ports[0]) && free(ports[1])) return ports;
            } catch (RuntimeException unreadable) {
                // choose afresh below
            }
        }
        int[] ports = {freePort(), freePort()};
        Files.writeString(file, ports[0] + " " + ports[1] + "\n", StandardCharsets.UTF_8);
        return ports;
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
