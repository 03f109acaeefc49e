package fusion.runtime;

import java.util.Map;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** A real KRaft cluster in this JVM, formatted afresh for each test class. */
public final class KafkaTestCluster {
    private KafkaTestCluster() {}

    /** One node that is both controller and broker. */
    public static KafkaClusterTestKit start() throws Exception {
        return start(new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build(), 1);
    }

    /**
     * One controller and {@code brokers} separate brokers, so a broker can be shut down (and started again)
     * while the quorum stays up. With three or more brokers every topic has three replicas, two of them in sync.
     */
    /** One combined node with broker settings of the test's own on top. */
    public static KafkaClusterTestKit start(Map<String, String> settings) throws Exception {
        return start(new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build(), 1, settings);
    }

    public static KafkaClusterTestKit startWithBrokers(int brokers) throws Exception {
        return start(new TestKitNodes.Builder().setCombined(false).setNumBrokerNodes(brokers).setNumControllerNodes(1).build(), brokers);
    }

    private static KafkaClusterTestKit start(TestKitNodes nodes, int brokers) throws Exception {
        return start(nodes, brokers, Map.of());
    }

    private static KafkaClusterTestKit start(TestKitNodes nodes, int brokers, Map<String, String> settings) throws Exception {
        String replicas = Integer.toString(Math.min(3, brokers));
        String inSync = brokers >= 3 ? "2" : "1";
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", replicas)
                .setConfigProp("offsets.topic.num.partitions", "2")
                .setConfigProp("transaction.state.log.replication.factor", replicas)
                .setConfigProp("transaction.state.log.min.isr", inSync)
                .setConfigProp("transaction.state.log.num.partitions", "2")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                // a transaction left open by a process killed with -9 is aborted within a second of its timeout, not ten
                .setConfigProp("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000")
                .setConfigProp("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        if (brokers >= 3) builder.setConfigProp("default.replication.factor", replicas).setConfigProp("min.insync.replicas", inSync);
        settings.forEach(builder::setConfigProp);
        KafkaClusterTestKit kit = builder.build();
        kit.format();
        kit.startup();
        kit.waitForReadyBrokers();
        return kit;
    }
}
