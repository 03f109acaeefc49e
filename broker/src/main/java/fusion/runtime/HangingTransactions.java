package fusion.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transactions left open on a partition that their coordinator no longer means to finish, found and aborted as
 * {@code kafka-transactions.sh find-hanging} and {@code abort} do (KIP-664).
 *
 * <p>Why: after a kill -9 of {@code fusion run}, broker and app die together. Seen in the soak: on the next start the
 * coordinator had the killed producer's transactional id as Empty (epoch bumped), while four changelog partitions
 * and {@code __consumer_offsets} still held that producer's transaction, open, with no marker coming. A
 * read_committed reader stops at such a partition's first open offset, and the group's committed offsets stay
 * "unstable", so Streams waited for them (60 s timeouts, round after round) and the run never started.
 *
 * <p>Only for the embedded broker, at its start: no producer of this broker is alive then, so a transaction the
 * coordinator lists for none of its partitions has nobody to finish it. A partition the coordinator still lists
 * (Ongoing, or a commit or abort whose markers are pending) is left to it.
 */
final class HangingTransactions {
    private static final Logger log = LoggerFactory.getLogger(HangingTransactions.class);
    /** A broker's coordinators load their logs right after start; they answer "loading" until then. */
    private static final Duration LOADING = Duration.ofMinutes(2);

    private HangingTransactions() {}

    /** One producer's open transaction on one partition. */
    record Open(TopicPartition partition, ProducerState producer) {}

    /** Aborts every hanging transaction on the broker; returns what it aborted. */
    static List<Open> abortAll(Admin admin) throws InterruptedException, ExecutionException {
        Instant deadline = Instant.now().plus(LOADING);
        while (true) {
            try {
                return abortOnce(admin);
            } catch (ExecutionException e) {
                boolean loading = e.getCause() instanceof CoordinatorLoadInProgressException || e.getCause() instanceof RetriableException;
                if (!loading || Instant.now().isAfter(deadline)) throw e;
                Thread.sleep(200);
            }
        }
    }

    private static List<Open> abortOnce(Admin admin) throws InterruptedException, ExecutionException {
        List<Open> open = open(admin, partitions(admin));
        if (open.isEmpty()) return List.of();
        List<Open> hanging = hanging(open, coordinatorStates(admin, producerIds(open)));
        List<Open> aborted = new ArrayList<>();
        for (Open h : hanging) {
            // the very transaction seen above, still open: a marker the coordinator wrote meanwhile is not undone
            if (!stillOpen(admin, h)) continue;
            admin.abortTransaction(new AbortTransactionSpec(h.partition(), h.producer().producerId(),
                    (short) h.producer().producerEpoch(), h.producer().coordinatorEpoch().orElse(0))).all().get();
            aborted.add(h);
        }
        if (!aborted.isEmpty()) {
            log.warn("aborted {} transaction(s) a killed run left open with no coordinator to finish them (nothing they held was committed): {}",
                    aborted.size(), aborted.stream().map(o -> o.partition() + " producer " + o.producer().producerId()).toList());
        }
        return aborted;
    }

    /**
     * The open transactions no coordinator will finish: their producer has no transactional id any more, or its
     * transaction (if any) does not include the partition.
     *
     * @param states the coordinator's state per producer id; a producer id missing here has none
     */
    static List<Open> hanging(List<Open> open, Map<Long, TransactionDescription> states) {
        List<Open> hanging = new ArrayList<>();
        for (Open o : open) {
            TransactionDescription state = states.get(o.producer().producerId());
            if (state == null || !state.topicPartitions().contains(o.partition())) hanging.add(o);
        }
        return hanging;
    }

    private static List<TopicPartition> partitions(Admin admin) throws InterruptedException, ExecutionException {
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
        List<TopicPartition> partitions = new ArrayList<>();
        admin.describeTopics(topics).allTopicNames().get()
                .forEach((topic, d) -> d.partitions().forEach(p -> partitions.add(new TopicPartition(topic, p.partition()))));
        return partitions;
    }

    private static List<Open> open(Admin admin, Collection<TopicPartition> partitions) throws InterruptedException, ExecutionException {
        List<Open> open = new ArrayList<>();
        if (partitions.isEmpty()) return open;
        Map<TopicPartition, PartitionProducerState> states = admin.describeProducers(partitions).all().get();
        states.forEach((tp, s) -> s.activeProducers().forEach(p -> {
            if (p.currentTransactionStartOffset().isPresent()) open.add(new Open(tp, p));
        }));
        return open;
    }

    private static boolean stillOpen(Admin admin, Open o) throws InterruptedException, ExecutionException {
        return open(admin, List.of(o.partition())).stream().anyMatch(now -> now.producer().producerId() == o.producer().producerId()
                && now.producer().producerEpoch() == o.producer().producerEpoch()
                && now.producer().currentTransactionStartOffset().equals(o.producer().currentTransactionStartOffset()));
    }

    private static Set<Long> producerIds(List<Open> open) {
        Set<Long> ids = new HashSet<>();
        open.forEach(o -> ids.add(o.producer().producerId()));
        return ids;
    }

    /** The coordinator's state of each producer id that has a transactional id; listing fails while it still loads. */
    private static Map<Long, TransactionDescription> coordinatorStates(Admin admin, Set<Long> producerIds)
            throws InterruptedException, ExecutionException {
        Collection<TransactionListing> listings = admin.listTransactions(new ListTransactionsOptions().filterProducerIds(producerIds)).all().get();
        Map<Long, TransactionDescription> states = new HashMap<>();
        for (TransactionListing l : listings) {
            if (!producerIds.contains(l.producerId())) continue;
            try {
                states.put(l.producerId(), admin.describeTransactions(Set.of(l.transactionalId())).description(l.transactionalId()).get());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TransactionalIdNotFoundException)) throw e;
            }
        }
        return states;
    }
}
