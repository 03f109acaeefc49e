package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import fusion.topology.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/python against {@code fusion broker} and {@code fusion serve --simulate} with {@code fusion.results.format=json}:
 * Debian's python3-confluent-kafka producing requests and reading results, with no Avro library.
 */
class PythonClientsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLES = Path.of("..", "examples", "python").toAbsolutePath().normalize();
    /** Debian's interpreter, where apt-get puts python3-confluent-kafka (a pyenv python3 on the PATH would not have it). */
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path dir;

    /** .ci/run installs python3-confluent-kafka; in CI its absence fails the test, elsewhere the test is skipped, saying why. */
    @BeforeAll
    static void confluentKafkaForPython() throws Exception {
        boolean present = Files.isExecutable(Path.of(PYTHON)) && run(Path.of("."), PYTHON, "-c", "import confluent_kafka").exit() == 0;
        String missing = PYTHON + " cannot import confluent_kafka: apt-get install python3-confluent-kafka (as .ci/run does)";
        if ("true".equals(System.getenv("CI"))) assertThat(present).as(missing).isTrue();
        Assumptions.assumeTrue(present, missing + "; PythonClientsTest skipped");
    }

    @Test
    @DisplayName("produce_requests.py produces JSON requests keyed by id (from a JSONL file and from --prompt); consume_results.py reads every one's result, read_committed, as JSON")
    void pythonRoundTrip() throws Exception {
        try (FusionProcess broker = FusionProcess.broker(dir)) {
            String bootstrap = broker.bootstrapServers();

            try (FusionProcess serve = FusionProcess.simulatedServe(dir, bootstrap, "fusion.results.format=json")) {

                Path requests = Files.write(dir.resolve("requests.jsonl"), List.of(
                        "{\"id\": \"py-1\", \"prompt\": \"What is a broker?\", \"analysis_models\": [\"sim/alpha\", \"sim/beta\"], \"model\": \"sim/judge\", \"topic\": \"kafka\"}",
                        "{\"request_id\": \"py-2\", \"prompt\": \"And a topic?\", \"analysis_models\": [\"sim/alpha\"], \"model\": \"sim/judge\"}",
                        "{\"prompt\": \"A request with no id of its own\", \"analysis_models\": [\"sim/beta\"], \"model\": \"sim/judge\"}"));
                Run fromFile = run(dir, PYTHON, EXAMPLES.resolve("produce_requests.py").toString(), "--bootstrap-servers", bootstrap,
                        "--file", requests.toString());
                assertThat(fromFile.exit()).as(fromFile.stderr()).isZero();
                Run fromArgs = run(dir, PYTHON, EXAMPLES.resolve("produce_requests.py").toString(), "--bootstrap-servers", bootstrap,
                        "--prompt", "Why Kafka?", "--panel", "sim/gamma,sim/alpha", "--judge", "sim/judge");
                assertThat(fromArgs.exit()).as(fromArgs.stderr()).isZero();
                List<String> produced = new ArrayList<>(fromFile.stdout().lines().toList());
                produced.addAll(fromArgs.stdout().lines().toList());
                assertThat(produced).hasSize(4).contains("py-1", "py-2").doesNotHaveDuplicates();

                Path ids = Files.write(dir.resolve("ids.txt"), produced);
                Run consumed = run(dir, PYTHON, EXAMPLES.resolve("consume_results.py").toString(), "--bootstrap-servers", bootstrap,
                        "--ids-file", ids.toString(), "--timeout", "90", "--with-calls");
                assertThat(consumed.exit()).as(consumed.stderr()).isZero();

                List<JsonNode> results = new ArrayList<>();
                for (String line : consumed.stdout().lines().toList()) results.add(JSON.readTree(line));
                assertThat(results).extracting(r -> r.get("request_id").asText()).as("one result per produced request")
                        .containsExactlyInAnyOrderElementsOf(produced);
                assertThat(results).allSatisfy(r -> {
                    assertThat(r.get("type").asText()).isEqualTo("openrouter:fusion");
                    assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("ok");
                    assertThat(r.get("calls")).as("the calls header, read by the consumer").isNotEmpty();
                });
                assertThat(results).filteredOn(r -> r.get("request_id").asText().equals("py-1")).singleElement()
                        .satisfies(r -> assertThat(r.get("metadata").get("topic").asText()).isEqualTo("kafka"));

                // The app's readers read the same JSON results back.
                Map<String, List<FusionResult>> read = CommittedResults.read(bootstrap, Topics.withDefaultPrefix().results().name(),
                        java.util.Set.copyOf(produced), Duration.ofSeconds(30));
                assertThat(read.values()).allSatisfy(list -> assertThat(list).singleElement()
                        .satisfies(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.ok)));

                assertThat(serve.stop(Duration.ofSeconds(60))).as(serve.output()).isZero();
            }
            assertThat(broker.stop(Duration.ofSeconds(60))).as(broker.output()).isZero();
        }
    }

    @Test
    @DisplayName("an Avro result → consume_results.py says it is Avro and that fusion.results.format=json makes it JSON, and exits 3")
    void avroResultIsNamed() throws Exception {
        try (FusionProcess broker = FusionProcess.broker(dir)) {
            String bootstrap = broker.bootstrapServers();
            FusionResult result = FusionResult.newBuilder().setRequestId("avro-1").setStatus(ResultStatus.ok).build();
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("avro.results", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                    new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("avro.results", "avro-1", Topics.RESULT.encode(result))).get(60, TimeUnit.SECONDS);
            }

            Run consumed = run(dir, PYTHON, EXAMPLES.resolve("consume_results.py").toString(), "--bootstrap-servers", bootstrap,
                    "--topic", "avro.results", "--ids", "avro-1", "--timeout", "60");

            assertThat(consumed.exit()).as(consumed.stderr()).isEqualTo(3);
            assertThat(consumed.stdout()).isEmpty();
            assertThat(consumed.stderr()).contains("result avro-1").contains("Avro in single-object encoding")
                    .contains("--set fusion.results.format=json");
            assertThat(broker.stop(Duration.ofSeconds(60))).as(broker.output()).isZero();
        }
    }

    record Run(int exit, String stdout, String stderr) {}

    /** Runs a command to its end (at most two minutes), its output and errors apart. */
    private static Run run(Path workDir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within 120 s:\n" + out + err.getNow(""));
        }
        return new Run(p.exitValue(), out, err.get());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
