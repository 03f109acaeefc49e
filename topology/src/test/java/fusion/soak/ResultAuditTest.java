package fusion.soak;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.results.FusionResults;
import fusion.results.ResultJson;
import fusion.runtime.KafkaTestCluster;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import fusion.topology.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The soak's checker finds what it is there to find: a lost result, a second one, a stale or repeated line. */
class ResultAuditTest {
    private static final String TOPIC = "audit.results";

    @TempDir
    Path dir;

    @Test
    @DisplayName("a missing id is lost; a second record of one attempt and a stranger's result are extra; "
            + "a retried result counts once, as its latest attempt; an aborted transaction's result counts for nothing")
    void findsLostExtraAndStale() throws Exception {
        try (KafkaClusterTestKit kafka = KafkaTestCluster.start()) {
            try (var admin = kafka.admin()) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
            }
            Map<String, Object> settings = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "audit-test");
            try (var producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                for (FusionResult r : List.of(result("once", 1), result("twice", 1), result("twice", 1), result("retried", 1),
                        result("retried", 2), result("stranger", 1))) {
                    producer.send(new ProducerRecord<>(TOPIC, r.getRequestId(), Topics.RESULT.encode(r)));
                }
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, "aborted", Topics.RESULT.encode(result("aborted", 1))));
                producer.flush();
                producer.abortTransaction();
            }
            FusionResult staleLine = result("retried", 1);
            staleLine.setStatus(ResultStatus.ok);
            Path file = dir.resolve("results.jsonl");
            Files.write(file, List.of(ResultJson.toJson(result("once", 1)), ResultJson.toJson(result("once", 1)),
                    ResultJson.toJson(staleLine), "{\"request_id\":\"stranger\"}", "half a line"));

            ResultAudit.Findings findings = ResultAudit.check(kafka.bootstrapServers(), TOPIC,
                    Set.of("once", "twice", "retried", "aborted"), file);

            assertThat(findings.checked()).isEqualTo(4);
            assertThat(findings.lost()).containsExactly("aborted");
            assertThat(findings.extra()).containsExactlyInAnyOrderEntriesOf(Map.of("twice", 1, "stranger", 1));
            assertThat(findings.latest().get("retried").getAttempt()).isEqualTo(2);
            assertThat(findings.fileLost()).containsExactlyInAnyOrder("twice", "aborted");
            assertThat(findings.fileDuplicates()).isEqualTo(1);
            assertThat(findings.fileExtra()).as("the stranger's line and the broken one").isEqualTo(2);
            assertThat(findings.fileStale()).containsExactly("retried");
            assertThat(findings.exactlyOnce()).isFalse();
        }
    }

    private static FusionResult result(String id, int attempt) {
        FusionResult r = FusionResults.invalid(id, null, "no prompt", 0);
        r.setAttempt(attempt);
        return r;
    }
}
