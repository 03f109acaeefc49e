package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.calls.CallCapacity;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.registry.RegistryFraming;
import fusion.registry.ScriptedRegistry;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.schema.Message;
import fusion.schema.ResultStatus;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import fusion.topology.PipelineSettings;
import fusion.topology.Topics;
import fusion.topology.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The app and the CLI's bulk run against a Confluent-compatible registry (scripted), on a real broker. */
class RegistryRunTest {
    private static KafkaClusterTestKit kafka;
    private static Simulator simulator;
    private static ScriptedRegistry registry;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaTestCluster.start();
        simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of("fusion.simulator.latency-ms", "20")));
        registry = ScriptedRegistry.start();
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
        simulator.close();
        kafka.close();
    }

    @Test
    @DisplayName("fusion.schema-registry.url set → fusion.requests-value and fusion.results-value registered; every record on fusion.results "
            + "is magic byte 0 + an id registered under fusion.results-value; an outside producer's magic-0 request is answered")
    void everyResultFramedForTheRegistry() throws Exception {
        // read the way the CLI reads its settings, so the setting's name is the documented one
        Topics topics = new FusionConfig(Map.of(WireFormat.REGISTRY_URL, registry.url())).topics();
        try (OpenAiChatClient client = client();
             FusionApp app = FusionApp.start(settings("framed", Map.of()), topics, PipelineSettings.defaults(), client, new CallCapacity(64, 16))) {
            // An outside producer with Confluent's serializer: registers the schema itself, frames the record with that id.
            int outsideId = registry.register("fusion.requests-value", FusionRequest.getClassSchema());
            produce(topics.requests().name(), "outside-1", RegistryFraming.frame(outsideId, avroBinary(request("outside-1"))));
            var outside = CommittedResults.read(kafka.bootstrapServers(), topics.results(), Set.of("outside-1"), Duration.ofSeconds(60));
            assertThat(outside.get("outside-1")).as("the magic-0 request is answered, once").hasSize(1);
            assertThat(outside.get("outside-1").get(0).getStatus()).isEqualTo(ResultStatus.ok);
            assertThat(registry.calls()).as("read through the registry, by its id").contains("GET /schemas/ids/" + outsideId);

            Path input = dir.resolve("rows.jsonl");
            Files.writeString(input, row("file-1") + "\n" + row("file-2") + "\n");
            RunSummary summary = new BulkRun(kafka.bootstrapServers(), topics, new PrintStream(new ByteArrayOutputStream(), true,
                    StandardCharsets.UTF_8), Duration.ofSeconds(5)).run(input, dir.resolve("results.jsonl"));
            assertThat(summary.ok()).isEqualTo(2);
        }

        assertThat(registry.subjects()).contains("fusion.requests-value", "fusion.results-value");
        List<Integer> resultIds = registry.ids("fusion.results-value");
        var results = CommittedResults.records(kafka.bootstrapServers(), "fusion.results");
        assertThat(results).extracting(r -> r.key()).contains("outside-1", "file-1", "file-2");
        for (var record : results) {
            byte[] value = record.value();
            assertThat(value[0]).as("magic byte of %s", record.key()).isEqualTo(RegistryFraming.MAGIC);
            assertThat(resultIds).as("schema id of %s", record.key()).contains(RegistryFraming.schemaId(value));
        }
        var requests = CommittedResults.records(kafka.bootstrapServers(), "fusion.requests");
        assertThat(requests).as("what the bulk run produced is framed too").filteredOn(r -> r.key().startsWith("file-"))
                .hasSize(2).allSatisfy(r -> assertThat(registry.ids("fusion.requests-value")).contains(RegistryFraming.schemaId(r.value())));
        assertThat(CommittedResults.keys(kafka.bootstrapServers(), "fusion.requests.dlq")).isEmpty();
    }

    @Test
    @DisplayName("the registry down (503) when a magic-0 request arrives → the record is not sent to the DLQ: the task fails, is retried, "
            + "and the request is answered once the registry is back")
    void registryDownIsRetriedNotDeadLettered() throws Exception {
        Topics topics = new Topics("down.", WireFormat.from(Map.of(WireFormat.REGISTRY_URL, registry.url())));
        try (OpenAiChatClient client = client();
             FusionApp app = FusionApp.start(settings("down", Map.of("session.timeout.ms", "6000")), topics, PipelineSettings.defaults(), client, new CallCapacity(64, 16))) {
            int id = registry.register("down.requests-value", FusionRequest.getClassSchema());
            registry.failNext(6); // more than one call's bounded retries (4 attempts): the stream task itself must fail once
            produce(topics.requests().name(), "down-1", RegistryFraming.frame(id, avroBinary(request("down-1"))));

            var results = CommittedResults.read(kafka.bootstrapServers(), topics.results(), Set.of("down-1"), Duration.ofSeconds(90));

            assertThat(registry.failedCalls()).as("the registry failed as scripted").isEqualTo(6);
            assertThat(results.get("down-1")).as("answered once").hasSize(1);
            assertThat(results.get("down-1").get(0).getStatus()).isEqualTo(ResultStatus.ok);
        }
        assertThat(CommittedResults.keys(kafka.bootstrapServers(), "down.requests.dlq")).as("nothing in the DLQ").isEmpty();
    }

    /** @param extra Kafka Streams settings; a short session lets the replaced thread's task move on sooner */
    private FusionApp.Settings settings(String applicationId, Map<String, String> extra) {
        return new FusionApp.Settings(kafka.bootstrapServers(), applicationId, dir.resolve("streams"), 4, (short) 1, 1, extra);
    }

    private static OpenAiChatClient client() {
        return new OpenAiChatClient(ProviderRoutes.single("simulator", simulator.baseUrl(), null), Duration.ofSeconds(30));
    }

    private static String row(String id) {
        return "{\"id\":\"" + id + "\",\"prompt\":\"Compare A and B (" + id + ")\",\"analysis_models\":[\"sim/alpha\",\"sim/beta\"],"
                + "\"model\":\"sim/judge\"}";
    }

    private static FusionRequest request(String id) {
        return FusionRequest.newBuilder().setRequestId(id).setMessages(new ArrayList<>(List.of(new Message("user", "Compare A and B"))))
                .setAnalysisModels(new ArrayList<>(List.of("sim/alpha", "sim/beta"))).setModel("sim/judge").setTools(new ArrayList<>())
                .setMetadata(new java.util.HashMap<>()).build();
    }

    private static byte[] avroBinary(FusionRequest request) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new SpecificDatumWriter<>(FusionRequest.class).write(request, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static void produce(String topic, String key, byte[] value) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }
}
