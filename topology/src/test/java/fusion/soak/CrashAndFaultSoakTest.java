package fusion.soak;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.runtime.EmbeddedBroker;
import fusion.runtime.FusionProcess;
import fusion.runtime.KafkaTestCluster;
import fusion.runtime.SimulatedCluster;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes and faults while a batch runs: {@code fusion run} killed with -9 again and again, one of two
 * {@code serve} instances killed, a broker restarted, a broker of three lost, a fifth of all calls failing.
 * Each round ends with {@link ResultAudit}: every request has exactly one final result on the results topic
 * (read_committed) and in the results file. Short by default; {@code -Dsoak.minutes=N} repeats the rounds
 * (see {@link SoakPlan}). The figures of every round go into one table, printed at the end and written to
 * {@code target/soak/figures.md}. Kill moments and faults are drawn from the printed seed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashAndFaultSoakTest {
    private static final SoakPlan PLAN = SoakPlan.fromSystemProperties();
    private static final SoakFigures FIGURES = new SoakFigures();
    private static final List<String> PANEL = List.of("sim/alpha", "sim/beta");
    private static final int CALLS_PER_REQUEST = PANEL.size() + 1; // the panel and the judge
    /** A start after kill -9 may wait out the killed instance's open transactions (60 s), then restore. */
    private static final Duration START = Duration.ofMinutes(4);
    private static final Duration FINISH = Duration.ofMinutes(5);

    /** kill -9 rounds: a kill lands at most this long after the pipeline started. */
    private static final long MAX_KILL_DELAY_MS = 1_500;
    /** HTTP calls in flight at once to the simulator, at this least latency: together they bound how fast a run goes. */
    private static final int CALLS_IN_FLIGHT = 6;
    private static final long LATENCY_MS = 200;
    private static final long JITTER_MS = 40;

    /** Kept when a scenario fails: the processes' logs are the evidence. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    @BeforeAll
    static void announce() {
        System.out.println(PLAN.describe() + "; work in " + dir);
    }

    @AfterAll
    static void printFigures() throws Exception {
        FIGURES.print(PLAN, Path.of("target", "soak", "figures.md"));
    }

    @Test
    @Order(1)
    @DisplayName("fusion run killed with kill -9 at random moments, then run to its end → exactly one result per row, in the file and on the topic")
    void killedRunsResume() throws Exception {
        rounds(0xA, "a. `fusion run`, kill -9 at random moments", (round, random) -> {
            Path work = Files.createDirectories(dir.resolve("a" + round));
            int kills = PLAN.killsOr(10);
            int rows = PLAN.rowsOr(rowsOutlasting(kills));
            assertThat(rows).as("soak.rows: each of %d kills must land on a run in progress, so at least %d rows", kills, rowsOutlasting(kills))
                    .isGreaterThanOrEqualTo(rowsOutlasting(kills));
            Path input = work.resolve("rows.jsonl");
            Set<String> ids = dataset(input, "a" + round, rows, true);
            Path results = work.resolve("results.jsonl");
            Path state = work.resolve("state");
            List<String> moments = new ArrayList<>();
            try (Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(slowSimulator()))) {
                Path config = work.resolve("fusion.properties");
                Files.writeString(config, String.join("\n",
                        "fusion.providers=sim",
                        "fusion.provider.default=sim",
                        "fusion.provider.sim.base-url=" + simulator.baseUrl(),
                        "fusion.provider.sim.max-in-flight=" + CALLS_IN_FLIGHT));
                String[] command = {"run", input.toString(), "--out", results.toString(), "--config", config.toString(),
                        "--state-dir", state.toString(), "--progress-seconds", "1"};
                long startupMillis = 0;
                int repairs = 0;
                for (int kill = 0; kill < kills; kill++) {
                    try (FusionProcess life = FusionProcess.start(work, work.resolve("life-" + kill + ".log"), command)) {
                        long lifeStarted = System.nanoTime();
                        // Now and then a kill lands while the broker and the streams app are still starting.
                        boolean duringStartup = startupMillis > 0 && random.nextInt(5) == 0;
                        if (duringStartup) {
                            Thread.sleep(random.nextLong(startupMillis));
                        } else {
                            life.awaitOutput(line -> line.startsWith("pipeline running"), START);
                            startupMillis = millisSince(lifeStarted);
                            Thread.sleep(random.nextLong(MAX_KILL_DELAY_MS + 1));
                        }
                        assertThat(life.alive()).as("kill %d of %d lands on a run in progress\n--- its output ---\n%s", kill + 1, kills,
                                life.output()).isTrue();
                        life.kill();
                        moments.add(millisSince(lifeStarted) + " ms" + (duringStartup ? " (starting)" : ""));
                        if (repairedHangingTransactions(life)) repairs++;
                    }
                }
                try (FusionProcess last = FusionProcess.start(work, work.resolve("last.log"), command)) {
                    assertThat(last.waitFor(FINISH)).as("the run after %d kills ends well\n%s", kills, last.output()).isZero();
                    if (repairedHangingTransactions(last)) repairs++;
                }
                System.out.printf("a%d: %d of %d starts found transactions a kill had left hanging, and aborted them%n", round, repairs, kills + 1);
            }
            ResultAudit.Findings findings = auditEmbedded(state, ids, results);
            System.out.printf("a%d: %d kills at %s after each start; %s%n", round, kills, moments, findings.describe());
            return new Round(findings, kills, rows + " rows, " + kills + " kills a round; " + findings.retriedResults()
                    + " final results on a later attempt");
        });
    }

    @Test
    @Order(2)
    @DisplayName("two fusion serve instances share a submitted batch, one is killed with kill -9 mid-batch → fusion collect gets every result exactly once")
    void killedServeInstance() throws Exception {
        try (SimulatedCluster cluster = SimulatedCluster.start(Files.createDirectories(dir.resolve("b")), slowSimulator())) {
            rounds(0xB, "b. two `fusion serve`, one killed -9 mid-batch", (round, random) -> {
                int victim = random.nextInt(2);
                ResultAudit.Findings findings = batch(cluster, "b" + round, PLAN.rowsOr(150), Map.of(), 2,
                        instances -> instances.get(victim).kill());
                return new Round(findings, 1, "serve-" + victim + " killed");
            });
        }
    }

    @Test
    @Order(3)
    @DisplayName("the only broker shut down mid-batch and started again while fusion serve runs → every result exactly once")
    void brokerRestart() throws Exception {
        try (SimulatedCluster cluster = SimulatedCluster.start(Files.createDirectories(dir.resolve("c")), slowSimulator(),
                KafkaTestCluster.startWithBrokers(1))) {
            rounds(0xC, "c. broker restarted mid-batch", (round, random) -> {
                long outage = 1_000 + random.nextLong(3_000);
                BrokerServer broker = cluster.kafka.brokers().values().iterator().next();
                ResultAudit.Findings findings = batch(cluster, "c" + round, PLAN.rowsOr(150), Map.of(), 1, instances -> {
                    broker.shutdown();
                    broker.awaitShutdown();
                    Thread.sleep(outage);
                    broker.startup();
                });
                return new Round(findings, 1, "down " + outage + " ms");
            });
        }
    }

    @Test
    @Order(4)
    @DisplayName("three brokers, replication factor 3, min.insync.replicas 2: one broker shut down mid-batch → every result exactly once")
    void brokerLostOfThree() throws Exception {
        try (SimulatedCluster cluster = SimulatedCluster.start(Files.createDirectories(dir.resolve("d")), slowSimulator(),
                KafkaTestCluster.startWithBrokers(3))) {
            rounds(0xD, "d. 3 brokers (RF 3, min ISR 2), one shut down mid-batch", (round, random) -> {
                String name = "d" + round;
                int victim = random.nextInt(3);
                BrokerServer broker = cluster.kafka.brokers().get(victim);
                ResultAudit.Findings findings = batch(cluster, name, PLAN.rowsOr(150), Map.of("fusion.replication-factor", "3"), 1,
                        instances -> {
                            assertReplicated(cluster, name + ".results");
                            broker.shutdown();
                            broker.awaitShutdown();
                        });
                broker.startup(); // the next round loses a broker of three again
                cluster.kafka.waitForReadyBrokers();
                return new Round(findings, 1, "broker " + victim + " lost");
            });
        }
    }

    private static final Pattern RETRIES = Pattern.compile("(\\d+) HTTP requests for (\\d+) calls; (\\d+) retries(.*)");

    @Test
    @Order(5)
    @DisplayName("19% transient faults (429, 5xx, hangs past the call timeout) under the default settings → every row has exactly one result")
    void transientFaults() throws Exception {
        rounds(0xE, "e. 19% transient faults", (round, random) -> {
            Path work = Files.createDirectories(dir.resolve("e" + round));
            int rows = PLAN.rowsOr(300);
            Path input = work.resolve("rows.jsonl");
            Set<String> ids = dataset(input, "e" + round, rows, false);
            Path results = work.resolve("results.jsonl");
            Path state = work.resolve("state");
            String output;
            // The default panel and judge, all simulated. The one setting changed: a call times out after 2 s, not 120 s,
            // so that a simulated hang (2.5 s) is a real timeout and the run stays short.
            try (FusionProcess run = FusionProcess.start(work, work.resolve("run.log"), "run", input.toString(), "--simulate",
                    "--out", results.toString(), "--state-dir", state.toString(), "--progress-seconds", "2",
                    "--set", "fusion.simulator.failure.rate-limited=0.06",
                    "--set", "fusion.simulator.failure.server-error=0.07",
                    "--set", "fusion.simulator.failure.timeout=0.06",
                    "--set", "fusion.simulator.timeout-hang-ms=2500",
                    "--set", "fusion.calls.timeout-ms=2000",
                    "--set", "fusion.simulator.latency-ms=20",
                    "--set", "fusion.simulator.seed=" + random.nextLong())) {
                assertThat(run.waitFor(FINISH)).as("the run under faults ends well\n%s", run.output()).isZero();
                output = run.output();
            }
            ResultAudit.Findings findings = auditEmbedded(state, ids, results);
            Matcher wire = RETRIES.matcher(output);
            String retries = wire.find() ? wire.group(3) + " retries" + wire.group(4) + " in " + wire.group(1) + " HTTP requests" : "no retry line";
            String note = String.format("%d%% ok with analysis (%d of %d); %s; failures %s", 100 * findings.okWithAnalysis() / rows,
                    findings.okWithAnalysis(), rows, retries, findings.shortfalls());
            System.out.printf("e%d: %s; %s%n--- summary ---%n%s%n", round, note, findings.describe(), summary(output));
            return new Round(findings, 0, note);
        });
    }

    /** What one round of a scenario came to. */
    private record Round(ResultAudit.Findings findings, int faults, String note) {}

    @FunctionalInterface
    private interface RoundOfScenario {
        Round run(int round, Random random) throws Exception;
    }

    /**
     * Rounds of one scenario, as many as the plan says, each drawing its faults from the plan's seed: each round's
     * figures go into the table before its audit is asserted, so a failing round is in the table too.
     */
    private static void rounds(long salt, String scenario, RoundOfScenario body) throws Exception {
        Random random = new Random(PLAN.seed() ^ salt);
        long started = System.nanoTime();
        for (int round = 0; PLAN.anotherRound(round, started); round++) {
            long roundStarted = System.nanoTime();
            Round outcome = body.run(round, random);
            FIGURES.add(scenario, outcome.faults(), outcome.findings(), secondsSince(roundStarted), outcome.note());
            assertThat(outcome.findings().exactlyOnce()).as("%s, round %d: %s", scenario, round, outcome.findings().describe()).isTrue();
        }
    }

    /** A fault done to a batch in flight: to the serve instances, or to the cluster under them. */
    @FunctionalInterface
    private interface Fault {
        void strike(List<FusionProcess> instances) throws Exception;
    }

    /**
     * One batch in cluster mode: {@code instances} serve processes, {@code fusion submit}, then {@code fault} once a third
     * of the batch's calls are made, then, when every result is in (or the patience ran out), the instances are stopped
     * and {@code fusion collect} writes the batch's results to a file. The audit reads the topic after the instances
     * stopped, so nothing can arrive later.
     */
    private static ResultAudit.Findings batch(SimulatedCluster cluster, String name, int rows, Map<String, String> settings, int instances,
                                              Fault fault) throws Exception {
        Map<String, String> all = new HashMap<>(Map.of(
                "fusion.application-id", name,
                "fusion.topic.prefix", name + ".",
                "fusion.partitions", "4",
                "fusion.stream-threads", "1",
                "fusion.replication-factor", "1",
                "fusion.provider.sim.max-in-flight", Integer.toString(CALLS_IN_FLIGHT),
                // a killed instance's partitions move after 6 s, not 45, and its open transaction is aborted after 10 s, not 60
                "kafka.session.timeout.ms", "6000",
                "kafka.heartbeat.interval.ms", "1000",
                "kafka.producer.transaction.timeout.ms", "10000"));
        all.putAll(settings);
        String[] config = {"--config", cluster.configFile(name, all).toString()};
        Path input = cluster.dir.resolve(name + ".jsonl");
        Set<String> ids = dataset(input, name, rows, true);
        String topic = name + ".results";
        List<FusionProcess> serve = new ArrayList<>();
        try {
            for (int i = 0; i < instances; i++) {
                serve.add(cluster.fusion(name + "-serve-" + i, Map.of(), "serve",
                        concat(config, "--state-dir", cluster.dir.resolve(name + "-state-" + i).toString())));
            }
            for (FusionProcess instance : serve) instance.awaitOutput(line -> line.startsWith("serving "), START);
            long callsBefore = cluster.simulator.callCount();
            try (FusionProcess submit = cluster.fusion(name + "-submit", Map.of(), "submit", concat(config, input.toString(), "--batch-id", name))) {
                assertThat(submit.waitFor(FINISH)).as(submit.output()).isZero();
            }
            long callsAtFault = awaitCalls(cluster.simulator, callsBefore + (long) rows * CALLS_PER_REQUEST / 3, serve) - callsBefore;
            assertThat(callsAtFault).as("the fault lands mid-batch: calls made so far of %d", rows * CALLS_PER_REQUEST)
                    .isLessThan((long) rows * CALLS_PER_REQUEST);
            fault.strike(serve);
            Set<String> missing = ResultAudit.awaitResults(cluster.bootstrapServers(), topic, ids, FINISH);
            for (FusionProcess instance : serve) {
                if (instance.alive()) assertThat(instance.stop(Duration.ofSeconds(90))).as("serve exits 0 on SIGTERM\n%s", instance.output()).isZero();
            }
            Path collected = cluster.dir.resolve(name + "-collected.jsonl");
            try (FusionProcess collect = cluster.fusion(name + "-collect", Map.of(), "collect",
                    concat(config, "--batch-id", name, "--out", collected.toString()))) {
                assertThat(collect.waitFor(FINISH)).as(collect.output()).isZero();
            }
            ResultAudit.Findings findings = ResultAudit.check(cluster.bootstrapServers(), topic, ids, collected);
            System.out.printf("%s: %d of %d calls made when the fault struck; %s%s%n", name, callsAtFault, rows * CALLS_PER_REQUEST,
                    findings.describe(), missing.isEmpty() ? "" : "; still missing when the patience ran out: " + missing.size());
            return findings;
        } finally {
            for (FusionProcess instance : serve) instance.close();
        }
    }

    /** Waits until the simulator has answered {@code calls} calls in all; returns how many it had then. */
    /** The embedded broker's start-up repair said it aborted what a kill -9 left open (EmbeddedBroker, HangingTransactions). */
    private static boolean repairedHangingTransactions(FusionProcess life) throws java.io.IOException {
        return life.output().contains("left open with no coordinator to finish them");
    }

    private static long awaitCalls(Simulator simulator, long calls, List<FusionProcess> serve) throws Exception {
        long deadline = System.nanoTime() + FINISH.toNanos();
        while (simulator.callCount() < calls && System.nanoTime() < deadline && serve.stream().allMatch(FusionProcess::alive)) {
            Thread.sleep(20);
        }
        assertThat(simulator.callCount()).as("calls made before the fault").isGreaterThanOrEqualTo(calls);
        return simulator.callCount();
    }

    /** The premise of scenario d: the pipeline's topics have three replicas and need two in sync. */
    private static void assertReplicated(SimulatedCluster cluster, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            assertThat(description.partitions()).allSatisfy(p -> assertThat(p.replicas()).as(topic + " replicas").hasSize(3));
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get("min.insync.replicas").value()).as(topic + " min.insync.replicas").isEqualTo("2");
        }
    }

    /** The results topic of a {@code fusion run} state directory, read through its embedded broker once the run is over. */
    private static ResultAudit.Findings auditEmbedded(Path state, Set<String> ids, Path results) throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(state.resolve("kafka"))) {
            return ResultAudit.check(broker.bootstrapServers(), "fusion.results", ids, results);
        }
    }

    /**
     * Rows enough that every kill lands on a run in progress: at most {@link #CALLS_IN_FLIGHT} calls are in flight, each
     * takes at least latency − jitter, and a request needs {@link #CALLS_PER_REQUEST} calls; so no life answers more than
     * this many requests before its kill; twenty more, so the last run has work left too.
     */
    private static int rowsOutlasting(int kills) {
        double requestsPerSecond = CALLS_IN_FLIGHT * 1000.0 / (LATENCY_MS - JITTER_MS) / CALLS_PER_REQUEST;
        return (int) Math.ceil(kills * requestsPerSecond * MAX_KILL_DELAY_MS / 1000.0) + 20;
    }

    /** {@code rows} distinct questions, ids {@code name-0...}; with {@code panel} each names the simulated panel and judge, else the defaults apply. */
    private static Set<String> dataset(Path file, String name, int rows, boolean panel) throws Exception {
        Set<String> ids = new LinkedHashSet<>();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            String id = name + "-" + i;
            ids.add(id);
            lines.add("{\"id\":\"" + id + "\",\"prompt\":\"Question " + i + " of " + name + ": weigh approach A against approach B\""
                    + (panel ? ",\"analysis_models\":[\"" + String.join("\",\"", PANEL) + "\"],\"model\":\"sim/judge\"" : "") + "}");
        }
        Files.write(file, lines);
        return ids;
    }

    private static Map<String, String> slowSimulator() {
        return Map.of("fusion.simulator.latency-ms", Long.toString(LATENCY_MS), "fusion.simulator.jitter-ms", Long.toString(JITTER_MS));
    }

    /** The run's summary: its output from the counts line on. */
    private static String summary(String output) {
        int at = output.lastIndexOf(" results: ");
        return at < 0 ? output : output.substring(output.lastIndexOf('\n', at) + 1);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static long secondsSince(long nanos) {
        return Math.round((System.nanoTime() - nanos) / 1e9);
    }

    private static String[] concat(String[] first, String... rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }
}
