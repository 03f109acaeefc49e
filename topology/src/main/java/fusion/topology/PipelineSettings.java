package fusion.topology;

import fusion.calls.CallSettings;
import fusion.intake.FusionDefaults;
import java.time.Duration;

/**
 * How the pipeline behaves, apart from Kafka and the providers.
 *
 * @param requestDefaults panel, judge and tool-call defaults for requests that leave them out
 * @param joinDeadline how long after a request's first panel response the rest may come; past it
 *     the missing models fail as timeouts. Must exceed a call's timeout with its retries.
 * @param emittedRetention how long the join remembers an emitted request, to ignore late duplicates
 * @param joinScanInterval how often overdue requests are looked for (wall clock)
 * @param calls how the asynchronous stages run their calls
 */
public record PipelineSettings(
        FusionDefaults requestDefaults,
        Duration joinDeadline,
        Duration emittedRetention,
        Duration joinScanInterval,
        CallSettings calls) {

    public static PipelineSettings defaults() {
        return new PipelineSettings(FusionDefaults.standard(), Duration.ofMinutes(10), Duration.ofHours(24),
                Duration.ofSeconds(1), CallSettings.defaults());
    }

    public PipelineSettings withJoinDeadline(Duration deadline) {
        return new PipelineSettings(requestDefaults, deadline, emittedRetention, joinScanInterval, calls);
    }

    public PipelineSettings withRequestDefaults(FusionDefaults d) {
        return new PipelineSettings(d, joinDeadline, emittedRetention, joinScanInterval, calls);
    }
}
