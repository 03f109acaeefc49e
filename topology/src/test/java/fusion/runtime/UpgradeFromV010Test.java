package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import fusion.records.Release;
import fusion.records.Releases;
import fusion.records.WriterSchemas;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import fusion.topology.Topics;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upgrade a user makes: a job started by the released v0.1.0, killed with SIGKILL mid-run, then
 * the same command on this build and the same state directory. The state holds v0.1.0's records in
 * the requests topic, the in-memory stores' changelogs (pending calls, open deliberations), the
 * completed-calls global store and the results so far.
 */
class UpgradeFromV010Test {
    private static final int ROWS = 60;
    private static final int PER_MODEL = 4;

    @TempDir
    Path dir;

    @Test
    @DisplayName("v0.1.0 job killed with kill -9 mid-run, resumed by this build on its state dir → every row exactly one ok result, nothing in the DLQ")
    void killedV010JobResumesOnThisBuild() throws Exception {
        Release v010 = Releases.all().get(0);
        assertThat(v010.tag()).isEqualTo("v0.1.0");
        Path releasedJar = ReleasedBuild.jar(v010);

        SimulatedJob job;
        try (Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of("fusion.simulator.latency-ms", "400")))) {
            job = SimulatedJob.write(dir, ROWS, simulator.baseUrl(), PER_MODEL);
            String[] command = job.command();

            try (FusionProcess released = FusionProcess.startJar(releasedJar, dir, dir.resolve("v0.1.0.log"), command)) {
                long deadline = System.currentTimeMillis() + 120_000;
                while (ResultsFile.byId(job.results()).size() < ROWS / 3 && released.alive() && System.currentTimeMillis() < deadline) Thread.sleep(50);
                assertThat(released.alive()).as("the v0.1.0 run is still going when killed:\n" + released.output()).isTrue();
                released.kill();
            }
            int answeredByV010 = ResultsFile.byId(job.results()).size();
            assertThat(answeredByV010).isBetween(ROWS / 3, ROWS - 1);

            try (FusionProcess upgraded = FusionProcess.start(dir, dir.resolve("upgraded.log"), command)) {
                assertThat(upgraded.waitFor(Duration.ofSeconds(180))).as(upgraded.output()).isZero();
            }
        }

        List<String> lines = Files.readAllLines(job.results());
        Map<String, JsonNode> byId = ResultsFile.byId(job.results());
        assertThat(lines).hasSize(ROWS);
        assertThat(byId).hasSize(ROWS);
        byId.values().forEach(r -> assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("ok"));

        try (EmbeddedBroker broker = EmbeddedBroker.start(job.state().resolve("kafka"))) {
            Topics topics = Topics.withDefaultPrefix();
            Map<String, Long> resultsPerId = CommittedResults.keys(broker.bootstrapServers(), topics.results().name()).stream()
                    .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
            assertThat(resultsPerId).as("committed results per request id").hasSize(ROWS).allSatisfy((id, n) -> assertThat(n).as(id).isOne());
            assertThat(CommittedResults.keys(broker.bootstrapServers(), topics.deadLetters().name())).as("records in the DLQ").isEmpty();

            // what makes this an upgrade: state written with schemas this build's own are not
            Map<String, Integer> releasedOnly = recordsWithReleasedOnlySchemas(broker.bootstrapServers(), v010);
            System.out.println("records of v0.1.0-only schemas, by topic: " + releasedOnly);
            assertThat(releasedOnly).as("v0.1.0 wrote the completed calls the upgraded build loaded").containsKey(topics.completedCalls().name());
            assertThat(releasedOnly.keySet()).as("v0.1.0 wrote changelogs the upgraded build restored").anyMatch(t -> t.endsWith("-changelog"));
        }
    }

    /** Per topic, how many committed records carry the fingerprint of a v0.1.0 schema that is not the current one. */
    private static Map<String, Integer> recordsWithReleasedOnlySchemas(String bootstrap, Release release) throws Exception {
        Set<Long> current = Set.copyOf(List.of(
                fingerprint(fusion.schema.FusionRequest.getClassSchema()), fingerprint(fusion.schema.PanelTask.getClassSchema()),
                fingerprint(fusion.schema.PanelResponse.getClassSchema()), fingerprint(fusion.schema.Deliberation.getClassSchema()),
                fingerprint(fusion.schema.SynthesisTask.getClassSchema()), fingerprint(fusion.schema.FusionResult.getClassSchema()),
                fingerprint(fusion.schema.CallOutcome.getClassSchema())));
        Set<Long> releasedOnly = release.schemas().values().stream().map(UpgradeFromV010Test::fingerprint)
                .filter(f -> !current.contains(f)).collect(Collectors.toSet());
        Map<String, Integer> counts = new TreeMap<>();
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        Set<String> topicNames;
        try (Admin admin = Admin.create(p)) {
            topicNames = admin.listTopics().names().get();
        }
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (String topic : topicNames) {
                if (topic.startsWith("__")) continue;
                List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                var end = consumer.endOffsets(partitions);
                while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                    for (var record : consumer.poll(Duration.ofMillis(200))) {
                        byte[] v = record.value();
                        if (v == null || v.length < 10 || v[0] != (byte) 0xC3 || v[1] != 0x01) continue;
                        long fingerprint = ByteBuffer.wrap(v, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
                        if (releasedOnly.contains(fingerprint)) counts.merge(topic, 1, Integer::sum);
                    }
                }
            }
        }
        return counts;
    }

    private static long fingerprint(Schema schema) {
        return WriterSchemas.fingerprint(schema);
    }
}
