package fusion.topology;

import fusion.calls.CallCapacity;
import fusion.calls.CallStage;
import fusion.calls.PanelCalls;
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
        var keys = Topics.KEYS;

        // intake
        t.addSource("requests", keys.deserializer(), Topics.RAW.deserializer(), topics.requests());
        var intakeRoutes = new RequestIntake.Routes("dead-letters", "results", "to-turns", "fan-out", "rekey-requests");
        RequestValidator validator = new RequestValidator(settings.requestDefaults());
        t.addProcessor("intake", () -> new RequestIntake(validator, intakeRoutes, settings.requestRetention()), "requests");
        t.addSink("dead-letters", topics.deadLetters(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer(), "intake");
        t.addSink("rekey-requests", topics.requests(), keys.serializer(), Serdes.ByteArray().serializer(), "intake");
        t.addSink("to-turns", topics.turns(), keys.serializer(), Topics.REQUEST.serializer(), "intake");

        // one fusion run per turn
        t.addSource("turns", keys.deserializer(), Topics.REQUEST.deserializer(), topics.turns());
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
            t.addSink("panel-tasks", topics.panelTasks(), keys.serializer(), Topics.PANEL_TASK.serializer(), "fan-out", "turn-fan-out");
            t.addSink("panel-responses", topics.panelResponses(), keys.serializer(), Topics.PANEL_RESPONSE.serializer(), "panel-calls");
        }
        t.addSink("completed-calls-out", topics.completedCalls(), keys.serializer(), Topics.CALL_OUTCOME.serializer(), "panel-calls");

        // join → judge → synthesis
        t.addProcessor("join", () -> new PanelJoin(settings.emittedRetention(), settings.joinScanInterval()), "panel-calls");
        t.addProcessor("judge", () -> new CallStage<>(JudgeStage.STORE, JudgeStage.STAGE, new JudgeStage("synthesis", "results"), client, capacity, settings.calls()), "join");
        t.addProcessor("synthesis", () -> new CallStage<>(fusion.synthesis.SynthesisStage.STORE, fusion.synthesis.SynthesisStage.STAGE,
                new fusion.synthesis.SynthesisStage(), client, capacity, settings.calls()), "judge");

        // results: every writer's results pass one tally on their way to the compacted topic
        t.addProcessor("results", ResultTally::new, "intake", "turn-guard", "judge", "synthesis");
        t.addSink("results-out", topics.results(), keys.serializer(), Topics.RESULT.serializer(), "results");

        // answered calls by fingerprint, from every task of every instance, for reuse
        if (settings.calls().reuseAnswers()) {
            t.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PanelCalls.COMPLETED_STORE), Topics.KEYS,
                            Topics.CALL_OUTCOME).withLoggingDisabled(), "completed-calls", keys.deserializer(), Topics.CALL_OUTCOME.deserializer(),
                    topics.completedCalls(), "completed-calls-updates", () -> new GlobalStoreUpdater<>(PanelCalls.COMPLETED_STORE,
                            (answer, now) -> fusion.calls.ReusedAnswers.expired(answer, settings.calls().reuseRetention(), now),
                            settings.calls().reuseRetention()));
        }

        // cancelled batches, from the control topic, seen by every task of every instance
        t.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Cancellations.STORE), Topics.KEYS, Serdes.String())
                        .withLoggingDisabled(), "control", keys.deserializer(), Serdes.String().deserializer(), topics.control(),
                "control-updates", () -> new GlobalStoreUpdater<>(Cancellations.STORE));

        t.addStateStore(persistent(RequestIntake.SEEN_STORE, Serdes.Long()), "intake");
        t.addStateStore(persistent(TurnGuard.STORE, Serdes.String()), "turn-guard");
        t.addStateStore(inMemory(OpenRequests.STORE, Topics.REQUEST), "fan-out", "turn-fan-out", "panel-calls", "judge", "synthesis", "results");
        t.addStateStore(inMemory(PanelCalls.STORE, Topics.PANEL_TASK), "panel-calls");
        t.addStateStore(inMemory(PanelJoin.STORE, DELIBERATION), "join");
        t.addStateStore(persistent(PanelJoin.EMITTED_STORE, Serdes.Long()), "join");
        t.addStateStore(inMemory(JudgeStage.STORE, DELIBERATION), "judge");
        t.addStateStore(inMemory(fusion.synthesis.SynthesisStage.STORE, SYNTHESIS_TASK), "synthesis");
        return t;
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> persistent(String name, org.apache.kafka.common.serialization.Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Topics.KEYS, values).withLoggingEnabled(java.util.Map.of());
    }

    /** Pending calls and open requests are bounded by the in-flight limits: memory, with a changelog. */
    private static <V> StoreBuilder<KeyValueStore<String, V>> inMemory(String name, org.apache.kafka.common.serialization.Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Topics.KEYS, values).withLoggingEnabled(java.util.Map.of());
    }
}
