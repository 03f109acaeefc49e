package fusion.runtime;

import fusion.calls.CallCapacity;
import fusion.model.ChatClient;
import fusion.topology.FusionTopology;
import fusion.topology.PipelineSettings;
import fusion.topology.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The streams application: its topics, its configuration, its lifecycle. */
public final class FusionApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FusionApp.class);

    /**
     * @param applicationId instances with the same id share the work
     * @param partitions partitions of every pipeline topic (one count for all keeps the join co-partitioned)
     * @param replication replication factor of pipeline and internal topics
     * @param extra further Kafka Streams / client properties, passed through as given
     */
    public record Settings(String bootstrapServers, String applicationId, Path stateDir, int partitions,
                           short replication, int streamThreads, Map<String, String> extra) {
        public static Settings embedded(String bootstrapServers, Path stateDir) {
            return new Settings(bootstrapServers, "fusion", stateDir, 4, (short) 1, 1, Map.of());
        }

        /**
         * For a real cluster: application id, partitions and stream threads from fusion.* settings; replication the
         * broker's default unless fusion.replication-factor says otherwise; every kafka.* setting passed through.
         */
        public static Settings cluster(FusionConfig config, String bootstrapServers, Path stateDir) {
            return new Settings(bootstrapServers, config.string("fusion.application-id", "fusion"), stateDir,
                    config.integer("fusion.partitions", 12), (short) config.integer("fusion.replication-factor", -1),
                    config.integer("fusion.stream-threads", 2), config.under("kafka."));
        }
    }

    private final KafkaStreams streams;

    private FusionApp(KafkaStreams streams) {
        this.streams = streams;
    }

    /** Creates missing topics, then starts the streams app and waits until it runs. */
    public static FusionApp start(Settings settings, Topics topics, PipelineSettings pipeline, ChatClient client,
                                  CallCapacity capacity) throws InterruptedException {
        createTopics(settings, topics, pipeline.auditTopics(), pipeline.events());
        var topology = FusionTopology.build(topics, pipeline, client, capacity);
        KafkaStreams streams = new KafkaStreams(topology, streamsProperties(settings));
        streams.setUncaughtExceptionHandler(e -> {
            log.error("stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        StartupTrace.mark("topics created, streams app starting");
        streams.start();
        awaitRunning(streams);
        StartupTrace.mark("streams app running");
        return new FusionApp(streams);
    }

    /**
     * After a kill -9 a start can take minutes: the soak has seen the stream thread unable to read the input topics'
     * committed offsets for over three minutes (TimeoutException, "last committed offset ... could not be
     * determined"). A start is given that long, says so while it waits, and then fails without a stack trace.
     */
    static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(5);

    private static void awaitRunning(KafkaStreams streams) throws InterruptedException {
        long started = System.nanoTime();
        long nextWord = started + Duration.ofSeconds(15).toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            KafkaStreams.State state = streams.state();
            long now = System.nanoTime();
            boolean failed = state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                    || state == KafkaStreams.State.NOT_RUNNING || state == KafkaStreams.State.PENDING_SHUTDOWN;
            if (failed || now - started > STARTUP_TIMEOUT.toNanos()) {
                streams.close(Duration.ofSeconds(10));
                throw new StartupException(failed
                        ? "the streams app stopped while starting (state " + state + "); the log above says why"
                        : "the streams app did not reach RUNNING within " + STARTUP_TIMEOUT.toMinutes() + " minutes (state " + state + ")");
            }
            if (now > nextWord) {
                log.info("still starting (state {}) after {} s; the stream threads' log lines say what they wait for", state,
                        Duration.ofNanos(now - started).toSeconds());
                nextWord = now + Duration.ofSeconds(15).toNanos();
            }
            Thread.sleep(50);
        }
    }

    /** The pipeline could not start; nothing accepted is lost, and the same command resumes it. */
    public static final class StartupException extends IllegalStateException {
        StartupException(String message) {
            super(message + ". Nothing accepted is lost: run the same command again to resume.");
        }
    }

    public static Properties streamsProperties(Settings s) {
        Properties p = new Properties();
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Under exactly-once this bounds how soon results become visible to read_committed consumers.
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Short.toString(s.replication()));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(s.streamThreads()));
        // Completions are forwarded by punctuation, which waits for poll(); keep the idle poll short.
        p.put(StreamsConfig.POLL_MS_CONFIG, "10");
        // A batch may wait for call capacity; smaller batches keep each transaction short.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), "100");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), "60000");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "5");
        // Answers, analyses and changelogs are text: zstd stores 100 simulated requests in about a third of the
        // bytes lz4 needs, and a quarter of uncompressed v0.1.0's, for no CPU the benchmark could tell apart.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "zstd");
        // Global stores are read to their end before any stream thread starts. Read committed, an open
        // transaction of an instance killed with -9 would hold them back until it times out (60 s), since
        // only a stream thread's producer fences and aborts it. Uncommitted is safe for both: the control
        // topic is written outside transactions, and an aborted answer on completed-calls is still a real
        // answer to its call, fit to reuse.
        p.put(StreamsConfig.globalConsumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_uncommitted");
        // One bounded off-heap budget for all RocksDB stores, not one per store and partition.
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class.getName());
        p.putAll(s.extra()); // kafka.* settings may change any default above
        // ...but not where the app runs and who it is: --bootstrap-servers, fusion.application-id and --state-dir,
        // which topic creation, submit and collect use too, win over kafka.bootstrap.servers and the like.
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, s.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, s.stateDir().toString());
        return p;
    }

    public static void createTopics(Settings s, Topics topics, boolean auditTopics) throws InterruptedException {
        createTopics(s, topics, auditTopics, true);
    }

    /** Creates the pipeline's topics that are missing: the audit topics only with them on, the events topic only with events on. */
    public static void createTopics(Settings s, Topics topics, boolean auditTopics, boolean events) throws InterruptedException {
        // Configured as Streams configures its own admin client: every kafka.* setting (admin.* ones unprefixed), not just security.
        String clientId = s.extra().getOrDefault(StreamsConfig.CLIENT_ID_CONFIG, s.applicationId());
        Map<String, Object> adminConfig = new StreamsConfig(streamsProperties(s)).getAdminConfigs(clientId + "-topics");
        try (Admin admin = Admin.create(adminConfig)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            List<String> used = topics.used(auditTopics, events);
            int partitions = partitionsOfTheJob(admin, used, existing, s.partitions());
            // An audit topic nothing writes to is not created: off by default, they would only sit there empty.
            for (String name : used) {
                if (existing.contains(name)) continue;
                NewTopic topic = new NewTopic(name, partitions, s.replication());
                if (topics.compacted().contains(name)) {
                    // one result per request id, one command per batch: compaction keeps the latest
                    topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                }
                missing.add(topic);
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
                log.info("created topics {}", missing.stream().map(NewTopic::name).toList());
                awaitLeaders(admin, missing.stream().map(NewTopic::name).toList());
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                throw new IllegalStateException("could not create the pipeline's topics: " + e.getCause().getMessage(), e.getCause());
            }
        }
    }

    /** How long new topics may take to reach the brokers' metadata; a controller under load has taken seconds. */
    private static final Duration TOPICS_KNOWN = Duration.ofSeconds(30);

    /**
     * The controller has made the topics when creation returns, but a broker may not know them yet, and a global store
     * that starts then fails ("no partitions available for topic fusion.completed-calls"): seen once the start got fast.
     * Waits until a broker names a leader for every partition.
     */
    private static void awaitLeaders(Admin admin, List<String> names) throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + TOPICS_KNOWN.toNanos();
        while (true) {
            try {
                boolean led = admin.describeTopics(names).allTopicNames().get().values().stream()
                        .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                if (led) return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) throw e;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the pipeline's new topics " + names + " have no leader after " + TOPICS_KNOWN.toSeconds()
                        + " s; check the brokers, then run the same command again");
            }
            Thread.sleep(20);
        }
    }

    /**
     * A topic missing from a job that has topics already gets as many partitions as they have, whatever the setting
     * says now: the pipeline's topics are co-partitioned, and a job begun with another count (an earlier default,
     * another fusion.partitions) keeps its own.
     */
    private static int partitionsOfTheJob(Admin admin, List<String> used, Set<String> existing, int configured)
            throws InterruptedException, ExecutionException {
        List<String> present = used.stream().filter(existing::contains).toList();
        if (present.isEmpty() || present.size() == used.size()) return configured;
        return admin.describeTopics(present).allTopicNames().get().values().stream()
                .mapToInt(d -> d.partitions().size()).max().orElse(configured);
    }

    public KafkaStreams streams() {
        return streams;
    }

    @Override
    public void close() {
        StartupTrace.mark("streams app closing");
        // Leave the group on the way out: otherwise the next start waits a session timeout (45 s) for this member to expire.
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        StartupTrace.mark("streams app closed");
    }
}
