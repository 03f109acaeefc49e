package fusion.intake;

import fusion.results.FusionResults;
import fusion.schema.FusionRequest;
import fusion.schema.FusionResult;
import fusion.topology.AvroSerde;
import fusion.topology.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and validates requests. Unreadable records go to the DLQ with the reason in headers;
 * readable but invalid ones get an error result at once; a request id seen before is dropped, so it
 * never yields a second result. Valid requests go on to the turn guard (when they carry a turn id)
 * or straight to fan-out.
 */
public final class RequestIntake implements Processor<String, byte[], Object, Object> {
    private static final Logger log = LoggerFactory.getLogger(RequestIntake.class);

    public static final String SEEN_STORE = "seen-request-ids";
    /** Header that inner fusion calls carry; fusion never runs inside fusion. */
    public static final String DEPTH_HEADER = "x-openrouter-fusion-depth";

    /** Where intake sends each kind of record: names of its child nodes. */
    public record Routes(String deadLetters, String results, String turns, String fanOut, String rekey) {}

    private final RequestDecoder decoder;
    private final RequestValidator validator;
    private final Routes routes;
    private final java.time.Duration retention;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, Long> seen;
    private Cancellations cancellations;

    /** Reads Avro requests in single-object encoding only: magic-0 records go to the DLQ, naming the registry setting. */
    public RequestIntake(RequestValidator validator, Routes routes, java.time.Duration retention) {
        this(validator, routes, retention, Topics.REQUEST);
    }

    /**
     * @param retention how long a request id is remembered ({@code fusion.intake.retention-ms}); a repeat after it is a new request
     * @param avro      reads Avro request values: single-object, and registry-framed when it has a registry
     */
    public RequestIntake(RequestValidator validator, Routes routes, java.time.Duration retention, AvroSerde<FusionRequest> avro) {
        this.validator = validator;
        this.routes = routes;
        this.retention = retention;
        this.decoder = new RequestDecoder(validator.defaults(), avro);
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.seen = context.getStateStore(SEEN_STORE);
        this.cancellations = Cancellations.of(context);
        Retention<Long> forget = new Retention<>(seen, retention, at -> at, context.currentSystemTimeMs());
        context.schedule(Retention.scanInterval(retention), org.apache.kafka.streams.processor.PunctuationType.WALL_CLOCK_TIME,
                forget::forgetOld);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        long now = context.currentSystemTimeMs();
        if (record.value() == null) {
            deadLetter(record, "the value is null (a tombstone); a tombstone is not a request and cancels nothing: "
                    + "send a FusionRequest (Avro or a JSON object) as the value");
            return;
        }
        RequestDecoder.Decoded decoded = decoder.decode(record.key(), record.value());
        if (decoded instanceof RequestDecoder.Unreadable u) {
            deadLetter(record, u.reason());
        } else if (decoded instanceof RequestDecoder.Malformed m) {
            if (firstTime(m.requestId(), now)) reject(m.requestId(), null, m.error(), now);
        } else if (decoded instanceof RequestDecoder.Readable r) {
            admit(record, r.request(), now);
        }
    }

    private void admit(Record<String, byte[]> record, FusionRequest request, long now) {
        String id = request.getRequestId();
        if (id == null || id.isBlank()) {
            if (record.key() == null) {
                deadLetter(record, "request_id is missing and the record has no key; set request_id or key the record by it");
                return;
            }
            request.setRequestId(id = record.key());
        }
        if (record.key() == null) {
            // Keyed afresh so every record of this id lands on one partition, where the dedupe store sees it.
            // Headers go along: a keyless request from inside a fusion run keeps its depth header.
            context.forward(new Record<Object, Object>(id, request, record.timestamp(), record.headers()), routes.rekey());
            return;
        }
        // A rerun's next try of a failed request is a new try, not a repeat: it is remembered apart.
        String seenKey = request.getAttempt() > 1 ? id + "#a" + request.getAttempt() : id;
        if (!firstTime(seenKey, now)) {
            log.debug("request {} (try {}) was seen before; it gets no second result", id, request.getAttempt());
            return;
        }
        if (!record.key().equals(id)) {
            reject(id, request, "record key '" + record.key() + "' differs from request_id '" + id
                    + "'; key each request record by its request_id", now);
            return;
        }
        Optional<Integer> depth = depth(record.headers());
        if (depth.isPresent() && depth.get() >= 1) {
            reject(id, request, DEPTH_HEADER + " is " + depth.get()
                    + ": this request comes from inside a fusion run, and fusion never runs inside fusion", now);
            return;
        }
        RequestValidator.Verdict verdict = validator.validate(request);
        if (!verdict.valid()) {
            reject(id, request, verdict.errorMessage(), now);
            return;
        }
        FusionRequest accepted = verdict.request();
        accepted.setReceivedAt(now);
        String cancelled = cancellations.cancelledBatch(accepted);
        if (cancelled != null) {
            context.forward(new Record<Object, Object>(id, FusionResults.cancelled(accepted, cancelled, now), now), routes.results());
            return;
        }
        if (accepted.getTurnId() != null) {
            context.forward(new Record<Object, Object>(accepted.getTurnId(), accepted, now), routes.turns());
        } else {
            context.forward(new Record<Object, Object>(id, accepted, now), routes.fanOut());
        }
    }

    private boolean firstTime(String id, long now) {
        if (seen.get(id) != null) return false;
        seen.put(id, now);
        return true;
    }

    private void reject(String id, FusionRequest request, String message, long now) {
        FusionResult result = FusionResults.invalid(id, request, message, now);
        context.forward(new Record<Object, Object>(id, result, now), routes.results());
    }

    private void deadLetter(Record<String, byte[]> record, String reason) {
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.add("fusion.error.reason", utf8(reason));
        headers.add("fusion.error.stage", utf8("intake"));
        context.recordMetadata().ifPresent((RecordMetadata m) -> {
            headers.add("fusion.error.topic", utf8(m.topic()));
            headers.add("fusion.error.partition", utf8(Integer.toString(m.partition())));
            headers.add("fusion.error.offset", utf8(Long.toString(m.offset())));
        });
        log.warn("request record sent to the dead-letter topic: {}", reason);
        byte[] key = record.key() == null ? null : utf8(record.key());
        byte[] value = record.value();
        if (decoder.oversize(value)) {
            // Copied, it would be a record too large for the producer; the original stays at the offset in the headers.
            headers.add("fusion.error.value-dropped", utf8(value.length + " bytes, over fusion.max-request-bytes"));
            value = null;
        }
        context.forward(new Record<Object, Object>(key, value, record.timestamp(), headers), routes.deadLetters());
    }

    private static Optional<Integer> depth(Headers headers) {
        Header h = headers.lastHeader(DEPTH_HEADER);
        if (h == null || h.value() == null) return Optional.empty();
        try {
            return Optional.of(Integer.parseInt(new String(h.value(), StandardCharsets.UTF_8).trim()));
        } catch (NumberFormatException e) {
            return Optional.of(1); // unreadable depth: refuse rather than risk recursion
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
