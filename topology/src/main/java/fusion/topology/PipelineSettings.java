package fusion.topology;

import fusion.calls.CallSettings;
import fusion.intake.FusionDefaults;
import java.time.Duration;

/**
 * How the pipeline behaves, apart from Kafka and the providers.
 *
 * @param requestDefaults panel, judge and tool-call defaults for requests that leave them out
 * @param emittedRetention how long the join still honours request ids emitted by earlier releases
 *     (their state remembered emitted ids; this one needs not)
 * @param joinScanInterval how often the join looks for such ids to forget (wall clock)
 * @param calls how the asynchronous stages run their calls, their deadline included
 * @param requestRetention how long intake remembers a request id (so a repeat gets no second
 *     result) and a turn id (so a turn runs fusion once); older ones are forgotten
 * @param auditTopics also write every panel task and response to their topics, which nothing reads
 *     back ({@code fusion.audit-topics}, off by default)
 * @param quorum the quorum and grace of requests that give none ({@code fusion.quorum.*})
 * @param events write each request's progress to the events topic ({@code fusion.events}, on by default)
 */
public record PipelineSettings(
        FusionDefaults requestDefaults,
        Duration emittedRetention,
        Duration joinScanInterval,
        CallSettings calls,
        Duration requestRetention,
        boolean auditTopics,
        fusion.intake.QuorumDefaults quorum,
        boolean events) {

    public static final Duration DEFAULT_REQUEST_RETENTION = Duration.ofDays(30);

    public static PipelineSettings defaults() {
        return new PipelineSettings(FusionDefaults.standard(), Duration.ofHours(24), Duration.ofSeconds(1), CallSettings.defaults(),
                DEFAULT_REQUEST_RETENTION, false,
                fusion.intake.QuorumDefaults.none(), true);
    }

    /** With {@code deadline} for each call, counted from when it was sent. */
    public PipelineSettings withCallDeadline(Duration deadline) {
        return withCalls(calls.withDeadline(deadline));
    }

    public PipelineSettings withCalls(CallSettings c) {
        return new PipelineSettings(requestDefaults, emittedRetention, joinScanInterval, c, requestRetention, auditTopics, quorum, events);
    }

    public PipelineSettings withRequestDefaults(FusionDefaults d) {
        return new PipelineSettings(d, emittedRetention, joinScanInterval, calls, requestRetention, auditTopics, quorum, events);
    }

    public PipelineSettings withAuditTopics(boolean on) {
        return new PipelineSettings(requestDefaults, emittedRetention, joinScanInterval, calls, requestRetention, on, quorum, events);
    }

    public PipelineSettings withQuorum(fusion.intake.QuorumDefaults q) {
        return new PipelineSettings(requestDefaults, emittedRetention, joinScanInterval, calls, requestRetention, auditTopics, q, events);
    }

    public PipelineSettings withEvents(boolean on) {
        return new PipelineSettings(requestDefaults, emittedRetention, joinScanInterval, calls, requestRetention, auditTopics, quorum, on);
    }

    public PipelineSettings withRequestRetention(Duration r) {
        return new PipelineSettings(requestDefaults, emittedRetention, joinScanInterval, calls, r, auditTopics, quorum, events);
    }
}
