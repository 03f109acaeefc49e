package fusion.join;

import fusion.fanout.OpenRequests;
import fusion.schema.Deliberation;
import fusion.schema.PanelTask;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The join's word, for the panel calls of the same task: has a task's request gone on at its quorum? A call
 * still waiting for its model's limits then is not sent (so not paid for); one already sent runs on, and its
 * answer is recorded when it comes.
 */
public final class QuorumClosed {
    private final ReadOnlyKeyValueStore<String, Deliberation> deliberations;

    public QuorumClosed(ProcessorContext<?, ?> context) {
        this.deliberations = context.getStateStore(PanelJoin.STORE);
    }

    public boolean wentOn(PanelTask task) {
        Deliberation d = deliberations.get(OpenRequests.key(task.getRequestId(), task.getAttempt()));
        return d != null && d.getClosedAt() != null;
    }
}
