package fusion.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.runtime.KafkaTestCluster;
import fusion.schema.FusionResult;
import fusion.topology.Topics;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A third-party sink through our converter: Debezium's JDBC sink connector, in a real Connect standalone worker,
 * reads the results topic of a real broker and writes a real PostgreSQL table, with the shipped example config.
 */
class DebeziumJdbcSinkTest {
    private static final String CONFIG = "fusion-results-jdbc-sink.properties";
    private static final Path REST_CONFIG = ShippedConfig.DIR.resolve("fusion-results-jdbc-sink.json");
    private static final String TOPIC = "fusion.results";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ThrowawayPostgres postgres;
    private static KafkaClusterTestKit kafka;
    private static StandaloneWorker worker;

    @BeforeAll
    static void start() throws Exception {
        postgres = ThrowawayPostgres.startOrSkip();
        kafka = KafkaTestCluster.start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
        worker = StandaloneWorker.start(kafka.bootstrapServers(), java.nio.file.Files.createTempFile("fusion-connect-", ".offsets"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (worker != null) worker.close();
        if (kafka != null) kafka.close();
        if (postgres != null) postgres.close();
    }

    @Test
    @DisplayName("results land in PostgreSQL as one readable row per request id; a result sent again or retried replaces its row, an aborted one never lands")
    void resultsIntoPostgres() throws Exception {
        Map<String, FusionResult> results = PipelineRecords.results();
        FusionResult answered = results.get(PipelineRecords.ANSWERED);
        FusionResult retried = FusionResult.newBuilder(answered).setRequestId(PipelineRecords.ALL_FAILED).setAttempt(2).build();
        FusionResult aborted = FusionResult.newBuilder(answered).setRequestId("aborted").build();
        Map<TopicPartition, Long> written = new HashMap<>();
        try (KafkaProducer<String, byte[]> producer = transactionalProducer()) {
            inTransaction(producer, new ArrayList<>(results.values()), true, written);
            inTransaction(producer, List.of(aborted), false, written);
            // every result delivered again (on every partition, past the aborted one), the failed one retried last
            List<FusionResult> again = new ArrayList<>(results.values());
            again.add(retried);
            inTransaction(producer, again, true, written);
        }
        Map<String, String> config = ShippedConfig.properties(CONFIG);
        config.put("connection.url", postgres.jdbcUrl());

        worker.run(config);

        String group = "connect-" + config.get("name");
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
                failIfTaskFailed(config.get("name"));
                return consumed(group, written);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("the sink did not consume the results topic within 60 s; its state: " + describe(worker.status(config.get("name")))
                    + "; committed " + committed(group) + ", written up to " + written, e);
        }
        try (Connection db = DriverManager.getConnection(postgres.jdbcUrl(), ThrowawayPostgres.USER, "")) {
            assertThat(strings(db, "select request_id from fusion_results order by request_id"))
                    .containsExactlyElementsOf(new TreeMap<>(results).keySet());
            assertThat(strings(db, "select data_type from information_schema.columns where table_name = 'fusion_results' and column_name = 'analysis'"))
                    .containsExactly("jsonb");
            assertThat(strings(db, "select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey) "
                    + "where i.indrelid = 'fusion_results'::regclass and i.indisprimary")).containsExactly("request_id");

            Map<String, Object> ok = row(db, PipelineRecords.ANSWERED);
            assertThat(ok).containsEntry("status", "ok").containsEntry("judge_model", "sim/judge").containsEntry("failure_reason", null);
            assertThat(JSON.readTree((String) ok.get("consensus"))).isEqualTo(JSON.valueToTree(answered.getAnalysis().getConsensus()));
            assertThat(ok).containsEntry("batch", "nov-26").containsEntry("model_calls", answered.getCalls().size());
            assertThat((Long) ok.get("prompt_tokens")).isPositive();
            assertThat(ok.get("result_id")).isEqualTo(PipelineRecords.ANSWERED);

            Map<String, Object> invalid = row(db, PipelineRecords.INVALID);
            assertThat(invalid).containsEntry("status", "error").containsEntry("failure_reason", "invalid_request")
                    .containsEntry("consensus", null).containsEntry("model_calls", null);
            assertThat((String) invalid.get("error")).contains("temperature is 3.0");

            assertThat(row(db, PipelineRecords.JUDGE_FAILED).get("judge_failure_reason")).isEqualTo("judge_not_valid_json");
            assertThat(row(db, PipelineRecords.PARTIAL).get("failed_model")).isEqualTo("sim/always-garbage");
            assertThat(row(db, PipelineRecords.ALL_FAILED)).as("the retried result replaced the failed one")
                    .containsEntry("status", "ok").containsEntry("failure_reason", null);
        }
    }

    @Test
    @DisplayName("the example config for the REST API is the same connector as the one for standalone workers")
    void restConfigMatches() throws Exception {
        JsonNode rest = JSON.readTree(REST_CONFIG.toFile());
        Map<String, String> standalone = ShippedConfig.properties(CONFIG);

        Map<String, String> config = new HashMap<>();
        rest.get("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        config.put("name", rest.get("name").asText());
        assertThat(config).isEqualTo(standalone);
    }

    private static KafkaProducer<String, byte[]> transactionalProducer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "jdbc-sink-test");
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions();
        return producer;
    }

    /**
     * As the pipeline writes results: keyed by request id, single-object Avro, in a transaction.
     *
     * @param written each partition's offset after the last record of the committed transactions so far (a sink
     *                task's committed offset stops there, before the commit marker)
     */
    private static void inTransaction(KafkaProducer<String, byte[]> producer, List<FusionResult> results, boolean commit,
                                      Map<TopicPartition, Long> written) throws Exception {
        producer.beginTransaction();
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>();
        results.forEach(r -> sent.add(producer.send(new ProducerRecord<>(TOPIC, r.getRequestId(), Topics.RESULT.encode(r)))));
        producer.flush();
        if (commit) {
            for (var s : sent) written.merge(new TopicPartition(TOPIC, s.get().partition()), s.get().offset() + 1, Math::max);
            producer.commitTransaction();
        } else {
            producer.abortTransaction();
        }
    }

    private static void failIfTaskFailed(String connector) {
        ConnectorStateInfo status = worker.status(connector);
        for (ConnectorStateInfo.TaskState task : status.tasks()) {
            if ("FAILED".equals(task.state())) throw new AssertionError("the sink task failed:\n" + task.trace());
        }
    }

    /** Whether the sink's consumer group has committed, on every partition, the offset after the last record written. */
    private static boolean consumed(String group, Map<TopicPartition, Long> written) throws Exception {
        Map<TopicPartition, Long> committed = committed(group);
        return written.entrySet().stream().allMatch(e -> committed.getOrDefault(e.getKey(), -1L) >= e.getValue());
    }

    private static Map<TopicPartition, Long> committed(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            return committed.entrySet().stream().filter(e -> e.getValue() != null).collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }

    private static String describe(ConnectorStateInfo status) {
        return "connector " + status.connector().state() + ", tasks " + status.tasks().stream()
                .map(t -> t.id() + " " + t.state() + (t.trace() == null ? "" : ": " + t.trace())).toList();
    }

    private static List<String> strings(Connection db, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    /** A row as an analyst queries it, the JSON columns through PostgreSQL's own jsonb operators. */
    private static Map<String, Object> row(Connection db, String requestId) throws SQLException {
        String sql = "select status, failure_reason, error, judge_model, analysis->'consensus' as consensus, metadata->>'batch_id' as batch, "
                + "judge_failure->>'reason' as judge_failure_reason, failed_models->0->>'model' as failed_model, model_calls, prompt_tokens, "
                + "result_json::jsonb->>'request_id' as result_id from fusion_results where request_id = ?";
        try (var s = db.prepareStatement(sql)) {
            s.setString(1, requestId);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as("a row for %s", requestId).isTrue();
                Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                if (row.get("consensus") != null) row.put("consensus", row.get("consensus").toString());
                return row;
            }
        }
    }
}
