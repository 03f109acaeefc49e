package fusion.topology;

import fusion.schema.CallOutcome;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.schema.PanelResponse;
import fusion.schema.PanelTask;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic of the pipeline with its serdes, in one place. All are keyed by request id except
 * {@code turns} (keyed by turn id) and the DLQ (original bytes). Names share a prefix.
 */
public final class Topics {
    public static final String DEFAULT_PREFIX = "fusion.";

    public static final Serde<String> KEYS = Serdes.String();
    public static final Serde<byte[]> RAW = Serdes.ByteArray();
    public static final AvroSerde<FusionRequest> REQUEST = new AvroSerde<>(FusionRequest.class);
    public static final AvroSerde<PanelTask> PANEL_TASK = new AvroSerde<>(PanelTask.class);
    public static final AvroSerde<PanelResponse> PANEL_RESPONSE = new AvroSerde<>(PanelResponse.class);
    public static final AvroSerde<FusionResult> RESULT = new AvroSerde<>(FusionResult.class);
    public static final AvroSerde<CallOutcome> CALL_OUTCOME = new AvroSerde<>(CallOutcome.class);

    private final String prefix;

    public Topics(String prefix) {
        this.prefix = prefix == null ? DEFAULT_PREFIX : prefix;
    }

    public static Topics withDefaultPrefix() {
        return new Topics(DEFAULT_PREFIX);
    }

    /** Requests from producers; values are FusionRequest (Avro) or JSON. Read as raw bytes so bad records reach the DLQ. */
    public String requests() { return prefix + "requests"; }

    /** Valid requests that carry a turn_id, keyed by turn id, so one task sees every request of a turn. */
    public String turns() { return prefix + "turns"; }

    /** One PanelTask per panel model. */
    public String panelTasks() { return prefix + "panel-tasks"; }

    /** Exactly one PanelResponse per PanelTask. */
    public String panelResponses() { return prefix + "panel-responses"; }

    /** Exactly one FusionResult per request id; compacted. */
    public String results() { return prefix + "results"; }

    /** Request records that cannot be read at all: original key and value, the reason in headers. */
    public String deadLetters() { return prefix + "requests.dlq"; }

    /** Answered panel calls, keyed by {@link fusion.calls.CallFingerprint}; compacted; read by every instance to reuse answers. */
    public String completedCalls() { return prefix + "completed-calls"; }

    /** Operator commands, keyed by what they name ({@code cancel/<batch id>}); compacted; read by every instance. */
    public String control() { return prefix + "control"; }

    public List<String> all() {
        return List.of(requests(), turns(), panelTasks(), panelResponses(), results(), deadLetters(), control(), completedCalls());
    }

    /** Topics that keep only the latest record per key. */
    public List<String> compacted() {
        return List.of(results(), control(), completedCalls());
    }
}
