package fusion.topology;

import fusion.calls.CallCapacity;
import fusion.calls.CallStage;
import fusion.calls.PanelCalls;
import fusion.events.EventRoute;
import fusion.events.PanelAddedEvents;
import fusion.fanout.OpenRequests;
import fusion.fanout.PanelFanOut;
import fusion.intake.Cancellations;
import fusion.intake.RequestIntake;
import fusion.intake.RequestValidator;
import fusion.intake.TurnGuard;
import fusion.join.PanelJoin;
import fusion.judge.JudgeStage;
import fusion.model.ChatClient;
import fusion.results.ResultTally;
import fusion.schema.Deliberation;
import fusion.schema.PanelTask;
import fusion.schema.SynthesisTask;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Wires the stages together: intake → (turn guard) → fan-out → panel calls → join → judge →
 * (synthesis) → results. Every topic is keyed by request id (turns by turn id), so a request's
 * tasks, responses and result share a partition and the join needs no repartition.
 */
public final class FusionTopology {
    private FusionTopology() {}

    static final AvroSerde<Deliberation> DELIBERATION = new AvroSerde<>(Deliberation.class);
    static final AvroSerde<SynthesisTask> SYNTHESIS_TASK = new AvroSerde<>(SynthesisTask.class);

    public static Topology build(Topics topics, PipelineSettings settings, ChatClient client, CallCapacity capacity) {
        Topology t = new Topology();

        // intake
        source(t, "requests", topics.requests().asBytes());
        var intakeRoutes = new RequestIntake.Routes("dead-letters", "results", "to-turns", "fan-out", "rekey-requests");
        RequestValidator validator = new RequestValidator(settings.requestDefaults(), settings.quorum());
        t.addProcessor("intake", () -> new RequestIntake(validator, intakeRoutes, settings.requestRetention(), topics.requestValues()), "requests");
        sink(t, "dead-letters", topics.deadLetters(), "intake");
        sink(t, "rekey-requests", topics.requests(), "intake");
        sink(t, "to-turns", topics.turns(), "intake");

        // one fusion run per turn
        source(t, "turns", topics.turns());
        t.addProcessor("turn-guard", () -> new TurnGuard("turn-fan-out", "results", settings.requestRetention()), "turns");

        // fan-out: the same stage after intake and after the turn guard
        t.addProcessor("fan-out", PanelFanOut::new, "intake");
        t.addProcessor("turn-fan-out", PanelFanOut::new, "turn-guard");

        // panel calls, straight after fan-out: a request's stages all run in the task that took it in,
        // so no stage waits for the previous one's transaction to commit. Nothing reads the tasks and
        // responses topics back: they get every record only with fusion.audit-topics, for watching or audit.
        boolean audit = settings.auditTopics();
        var callRoutes = new PanelCalls.Routes("join", audit ? "panel-responses" : null, "completed-calls-out");
        t.addProcessor("panel-calls", () -> new CallStage<>(PanelCalls.STORE, PanelCalls.STAGE, new PanelCalls(settings.calls(), callRoutes), client, capacity, settings.calls()),
                "fan-out", "turn-fan-out");
        if (audit) {
            sink(t, "panel-tasks", topics.panelTasks(), "fan-out", "turn-fan-out");
            sink(t, "panel-responses", topics.panelResponses(), "panel-calls");
        }
        sink(t, "completed-calls-out", topics.completedCalls(), "panel-calls");

        // each request's progress, written by the processor whose state change it reports, in its transaction
        EventRoute events = EventRoute.to("events", settings.events());
        if (events.on()) t.addProcessor("panel-added", () -> new PanelAddedEvents(events), "fan-out", "turn-fan-out");

        // join → judge → synthesis
        t.addProcessor("join", () -> new PanelJoin(settings.emittedRetention(), settings.joinScanInterval(), "judge", events), "panel-calls");
        t.addProcessor("judge", () -> new CallStage<>(JudgeStage.STORE, JudgeStage.STAGE, new JudgeStage("synthesis", "results", events), client, capacity, settings.calls()), "join");
        t.addProcessor("synthesis", () -> new CallStage<>(fusion.synthesis.SynthesisStage.STORE, fusion.synthesis.SynthesisStage.STAGE,
                new fusion.synthesis.SynthesisStage(), client, capacity, settings.calls()), "judge");

        // results: every writer's results pass one tally on their way to the compacted topic
        t.addProcessor("results", () -> new ResultTally("results-out", events), "intake", "turn-guard", "judge", "synthesis");
        sink(t, "results-out", topics.results(), "results");
        if (events.on()) sink(t, "events", topics.events(), "panel-added", "join", "judge", "results");

        // answered calls by fingerprint, from every task of every instance, for reuse
        if (settings.calls().reuseAnswers()) {
            t.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PanelCalls.COMPLETED_STORE), Topics.KEYS,
                            Topics.CALL_OUTCOME).withLoggingDisabled(), "completed-calls", topics.completedCalls().keySerde().deserializer(),
                    topics.completedCalls().valueSerde().deserializer(), topics.completedCalls().name(), "completed-calls-updates", () -> new GlobalStoreUpdater<>(PanelCalls.COMPLETED_STORE,
                            (answer, now) -> fusion.calls.ReusedAnswers.expired(answer, settings.calls().reuseRetention(), now),
                            settings.calls().reuseRetention()));
        }

        // cancelled batches, from the control topic, seen by every task of every instance
        t.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Cancellations.STORE), Topics.KEYS, Serdes.String())
                        .withLoggingDisabled(), "control", topics.control().keySerde().deserializer(), topics.control().valueSerde().deserializer(), topics.control().name(),
                "control-updates", () -> new GlobalStoreUpdater<>(Cancellations.STORE));

        t.addStateStore(persistent(RequestIntake.SEEN_STORE, Serdes.Long()), "intake");
        t.addStateStore(persistent(TurnGuard.STORE, Serdes.String()), "turn-guard");
        t.addStateStore(inMemory(OpenRequests.STORE, Topics.REQUEST), "fan-out", "turn-fan-out", "panel-calls", "join", "judge", "synthesis", "results");
        t.addStateStore(inMemory(PanelCalls.STORE, Topics.PANEL_TASK), "panel-calls");
        // the panel calls read it too: a call still queued when its request went on at its quorum is not sent
        t.addStateStore(inMemory(PanelJoin.STORE, DELIBERATION), "join", "panel-calls");
        t.addStateStore(persistent(PanelJoin.EMITTED_STORE, Serdes.Long()), "join");
        t.addStateStore(inMemory(JudgeStage.STORE, DELIBERATION), "judge");
        t.addStateStore(inMemory(fusion.synthesis.SynthesisStage.STORE, SYNTHESIS_TASK), "synthesis");
        return t;
    }

    private static <K, V> void source(Topology t, String node, Topic<K, V> topic) {
        t.addSource(node, topic.keySerde().deserializer(), topic.valueSerde().deserializer(), topic.name());
    }

    private static <K, V> void sink(Topology t, String node, Topic<K, V> topic, String... parents) {
        t.addSink(node, topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer(), parents);
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> persistent(String name, org.apache.kafka.common.serialization.Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Topics.KEYS, values).withLoggingEnabled(java.util.Map.of());
    }

    /** Pending calls and open requests are bounded by the in-flight limits: memory, with a changelog. */
    private static <V> StoreBuilder<KeyValueStore<String, V>> inMemory(String name, org.apache.kafka.common.serialization.Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Topics.KEYS, values).withLoggingEnabled(java.util.Map.of());
    }
}
