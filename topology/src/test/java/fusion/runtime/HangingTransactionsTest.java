package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HangingTransactionsTest {
    private static final String TOPIC = "ledger";
    private static final TopicPartition HUNG = new TopicPartition(TOPIC, 0);
    private static final TopicPartition LIVE = new TopicPartition(TOPIC, 1);

    @Test
    @DisplayName("an open transaction the coordinator lists for none of its partitions is hanging; one it lists, or whose commit is still being marked, is not")
    void whichAreHanging() {
        HangingTransactions.Open orphan = open(HUNG, 7);
        HangingTransactions.Open unlisted = open(HUNG, 8);
        HangingTransactions.Open ongoing = open(LIVE, 8);
        HangingTransactions.Open committing = open(HUNG, 9);
        Map<Long, TransactionDescription> states = Map.of(
                8L, description(8, TransactionState.ONGOING, Set.of(LIVE)),
                9L, description(9, TransactionState.PREPARE_COMMIT, Set.of(HUNG)));

        assertThat(HangingTransactions.hanging(List.of(orphan, unlisted, ongoing, committing), states)).containsExactly(orphan, unlisted);
    }

    @Test
    @DisplayName("a transaction left open on a partition with no coordinator to finish it → aborted: read_committed readers and the group go on; a live transaction is left to finish")
    void abortsOnlyWhatNobodyFinishes() throws Exception {
        // Without partition verification the broker takes a transactional batch its coordinator never heard of: the state a
        // kill -9 of broker and app together was seen to leave (the coordinator Empty, the partition's transaction open).
        try (KafkaClusterTestKit kafka = KafkaTestCluster.start(Map.of("transaction.partition.verification.enable", "false"));
             Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
            try (KafkaProducer<String, String> writer = producer(kafka, "writer")) {
                writer.initTransactions();
                writer.beginTransaction();
                writer.send(new ProducerRecord<>(TOPIC, 0, "a", "committed before"));
                writer.commitTransaction();
            }
            try (KafkaProducer<String, String> ghost = producer(kafka, "ghost")) {
                ghost.initTransactions(); // a producer id and epoch, and no transaction
            }
            TransactionDescription ghostState = admin.describeTransactions(Set.of("ghost")).description("ghost").get();
            produceUnannounced(kafka.bootstrapServers(), ghostState.producerId(), (short) ghostState.producerEpoch());
            assertThat(lastStableOffset(kafka, HUNG)).as("read_committed readers stop at the open transaction (after the record and its commit marker)").isEqualTo(2);

            try (KafkaProducer<String, String> live = producer(kafka, "live")) {
                live.initTransactions();
                live.beginTransaction();
                live.send(new ProducerRecord<>(TOPIC, 1, "b", "still being written")).get();

                List<HangingTransactions.Open> aborted = HangingTransactions.abortAll(admin);

                assertThat(aborted).extracting(HangingTransactions.Open::partition).containsExactly(HUNG);
                assertThat(aborted.get(0).producer().producerId()).isEqualTo(ghostState.producerId());
                live.commitTransaction();
            }
            assertThat(lastStableOffset(kafka, HUNG)).as("past the aborted batch and its marker").isEqualTo(4);
            assertThat(readCommitted(kafka)).containsExactlyInAnyOrder("committed before", "still being written");
            assertThat(HangingTransactions.abortAll(admin)).as("nothing left to abort").isEmpty();
        }
    }

    private static HangingTransactions.Open open(TopicPartition tp, long producerId) {
        return new HangingTransactions.Open(tp, new ProducerState(producerId, 0, 3, 0L, OptionalInt.empty(), OptionalLong.of(5)));
    }

    private static TransactionDescription description(long producerId, TransactionState state, Set<TopicPartition> partitions) {
        return new TransactionDescription(1, state, producerId, 0, 60_000, OptionalLong.of(0), partitions);
    }

    private static KafkaProducer<String, String> producer(KafkaClusterTestKit kafka, String transactionalId) {
        return new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "transactional.id", transactionalId),
                new StringSerializer(), new StringSerializer());
    }

    /** A transactional batch sent as a zombie would, with no AddPartitionsToTxn before it: the coordinator never lists it. */
    private static void produceUnannounced(String bootstrap, long producerId, short epoch) throws Exception {
        MemoryRecords batch = MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, epoch, 0,
                new SimpleRecord("g".getBytes(StandardCharsets.UTF_8), "never finished".getBytes(StandardCharsets.UTF_8)));
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000).setTransactionalId("ghost");
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName(TOPIC);
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(batch));
        data.topicData().add(topic);
        short version = 9;
        RequestHeader header = new RequestHeader(ApiKeys.PRODUCE, version, "hanging-transactions-test", 1);
        ByteBuffer request = new ProduceRequest(data, version).serializeWithHeader(header);
        String[] hostPort = bootstrap.split(",")[0].split(":");
        try (Socket socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]));
             DataOutputStream out = new DataOutputStream(socket.getOutputStream());
             DataInputStream in = new DataInputStream(socket.getInputStream())) {
            out.writeInt(request.remaining());
            out.write(request.array(), request.arrayOffset() + request.position(), request.remaining());
            out.flush();
            byte[] response = new byte[in.readInt()];
            in.readFully(response);
            ProduceResponse parsed = (ProduceResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
            parsed.data().responses().forEach(t -> t.partitionResponses().forEach(p ->
                    assertThat(Errors.forCode(p.errorCode())).as("the broker took the batch").isEqualTo(Errors.NONE)));
        }
    }

    private static KafkaConsumer<String, String> readCommittedConsumer(KafkaClusterTestKit kafka) {
        return new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "isolation.level", "read_committed",
                "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer());
    }

    private static long lastStableOffset(KafkaClusterTestKit kafka, TopicPartition tp) {
        try (KafkaConsumer<String, String> consumer = readCommittedConsumer(kafka)) {
            return consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
        }
    }

    private static List<String> readCommitted(KafkaClusterTestKit kafka) {
        try (KafkaConsumer<String, String> consumer = readCommittedConsumer(kafka)) {
            List<TopicPartition> both = List.of(HUNG, LIVE);
            consumer.assign(both);
            consumer.seekToBeginning(both);
            Map<TopicPartition, Long> ends = consumer.endOffsets(both, Duration.ofSeconds(30));
            List<String> values = new ArrayList<>();
            while (both.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) values.add(r.value());
            }
            return values;
        }
    }
}
