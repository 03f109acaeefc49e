package fusion.topology;

import fusion.schema.CallOutcome;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.schema.PanelResponse;
import fusion.schema.PanelTask;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic of the pipeline with its serdes, in one place. All are keyed by request id except
 * {@code turns} (keyed by turn id), {@code completed-calls} (by call fingerprint), {@code control}
 * (by command) and the DLQ (original bytes). Names share a prefix; Avro values are written in the
 * {@link WireFormat} the topics are built for (Schema Registry framing or single-object encoding).
 */
public final class Topics {
    public static final String DEFAULT_PREFIX = "fusion.";

    /**
     * Serdes in single-object encoding, for state stores and their changelogs (read back only by us, so
     * they never depend on a registry being up at restore) and for code that names no topic. Every one
     * reads registry-framed records too, given a registry; these have none.
     */
    public static final Serde<String> KEYS = Serdes.String();
    public static final Serde<byte[]> RAW = Serdes.ByteArray();
    public static final AvroSerde<FusionRequest> REQUEST = new AvroSerde<>(FusionRequest.class);
    public static final AvroSerde<PanelTask> PANEL_TASK = new AvroSerde<>(PanelTask.class);
    public static final AvroSerde<PanelResponse> PANEL_RESPONSE = new AvroSerde<>(PanelResponse.class);
    public static final AvroSerde<FusionResult> RESULT = new AvroSerde<>(FusionResult.class);
    public static final AvroSerde<CallOutcome> CALL_OUTCOME = new AvroSerde<>(CallOutcome.class);
    public static final fusion.events.FusionEventSerde EVENT = new fusion.events.FusionEventSerde();

    private final WireFormat wire;
    private final AvroSerde<FusionRequest> requestValues;
    private final Topic<String, FusionRequest> requests;
    private final Topic<String, FusionRequest> turns;
    private final Topic<String, PanelTask> panelTasks;
    private final Topic<String, PanelResponse> panelResponses;
    private final Topic<String, FusionResult> results;
    private final Topic<byte[], byte[]> deadLetters;
    private final Topic<String, CallOutcome> completedCalls;
    private final Topic<String, String> control;
    private final Topic<String, fusion.events.FusionEvent> events;

    /** Topics under {@code prefix} in single-object encoding. */
    public Topics(String prefix) {
        this(prefix, WireFormat.singleObject());
    }

    /** Topics under {@code prefix} whose Avro values are written in {@code wire}. */
    public Topics(String prefix, WireFormat wire) {
        String p = prefix == null ? DEFAULT_PREFIX : prefix;
        this.wire = wire;
        this.requestValues = wire.serde(FusionRequest.class);
        this.requests = new Topic<>(p + "requests", KEYS, requestValues);
        this.turns = new Topic<>(p + "turns", KEYS, requestValues);
        this.panelTasks = new Topic<>(p + "panel-tasks", KEYS, wire.serde(PanelTask.class));
        this.panelResponses = new Topic<>(p + "panel-responses", KEYS, wire.serde(PanelResponse.class));
        this.results = new Topic<>(p + "results", KEYS, wire.results());
        this.deadLetters = new Topic<>(p + "requests.dlq", RAW, RAW);
        this.completedCalls = new Topic<>(p + "completed-calls", KEYS, wire.serde(CallOutcome.class));
        this.control = new Topic<>(p + "control", KEYS, Serdes.String());
        this.events = new Topic<>(p + "events", KEYS, EVENT);
    }

    public static Topics withDefaultPrefix() {
        return new Topics(DEFAULT_PREFIX);
    }

    /** How the Avro values of these topics are written. */
    public WireFormat wireFormat() {
        return wire;
    }

    /**
     * Requests from producers; values are FusionRequest (single-object, registry-framed) or JSON. Intake reads
     * them {@link Topic#asBytes() as bytes} so that bad records reach the DLQ.
     */
    public Topic<String, FusionRequest> requests() { return requests; }

    /** The serde of request values, for decoders that read the requests topic's bytes themselves. */
    public AvroSerde<FusionRequest> requestValues() { return requestValues; }

    /** Valid requests that carry a turn_id, keyed by turn id, so one task sees every request of a turn. */
    public Topic<String, FusionRequest> turns() { return turns; }

    /** One PanelTask per panel model. */
    public Topic<String, PanelTask> panelTasks() { return panelTasks; }

    /** Exactly one PanelResponse per PanelTask. */
    public Topic<String, PanelResponse> panelResponses() { return panelResponses; }

    /** Exactly one FusionResult per request id; compacted; Avro, or JSON with {@value WireFormat#RESULTS_FORMAT}{@code =json}. */
    public Topic<String, FusionResult> results() { return results; }

    /** Request records that cannot be read at all: original key and value, the reason in headers. */
    public Topic<byte[], byte[]> deadLetters() { return deadLetters; }

    /** Answered panel calls, keyed by {@link fusion.calls.CallFingerprint}; compacted; read by every instance to reuse answers. */
    public Topic<String, CallOutcome> completedCalls() { return completedCalls; }

    /** Operator commands, keyed by what they name ({@code cancel/<batch id>}); compacted; read by every instance. */
    public Topic<String, String> control() { return control; }

    /** Each request's progress, keyed by request id: JSON {@link fusion.events.FusionEvent}s ({@code fusion.events}, on by default). */
    public Topic<String, fusion.events.FusionEvent> events() { return events; }

    /** The topics a pipeline writes or reads: every one, the two audit topics only when they are on; the events topic too. */
    public List<String> used(boolean auditTopics) {
        return used(auditTopics, true);
    }

    /** The topics a pipeline writes or reads: every one, the audit topics and the events topic only when they are on. */
    public List<String> used(boolean auditTopics, boolean events) {
        List<String> pipeline = List.of(requests.name(), turns.name(), results.name(), deadLetters.name(), control.name(),
                completedCalls.name());
        Stream<String> audit = auditTopics ? Stream.of(panelTasks.name(), panelResponses.name()) : Stream.empty();
        Stream<String> progress = events ? Stream.of(this.events.name()) : Stream.empty();
        return Stream.of(pipeline.stream(), audit, progress).flatMap(s -> s).toList();
    }

    /** Topics that keep only the latest record per key. */
    public List<String> compacted() {
        return List.of(results.name(), control.name(), completedCalls.name());
    }
}
