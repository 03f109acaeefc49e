package fusion.fanout;

import fusion.schema.FusionRequest;
import fusion.schema.PanelTask;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Opens the request (held once, in {@link OpenRequests}) and makes one PanelTask per panel model,
 * keyed by request id, carrying its index, the panel size and the request's try, not the request.
 */
public final class PanelFanOut implements Processor<String, FusionRequest, String, PanelTask> {
    private ProcessorContext<String, PanelTask> context;
    private OpenRequests open;

    @Override
    public void init(ProcessorContext<String, PanelTask> context) {
        this.context = context;
        this.open = OpenRequests.of(context);
    }

    @Override
    public void process(Record<String, FusionRequest> record) {
        FusionRequest request = record.value();
        open.open(request);
        List<String> panel = request.getAnalysisModels();
        long now = context.currentSystemTimeMs();
        for (int i = 0; i < panel.size(); i++) {
            PanelTask task = PanelTask.newBuilder()
                    .setRequestId(request.getRequestId())
                    .setModel(panel.get(i))
                    .setIndex(i)
                    .setPanelSize(panel.size())
                    .setAttempt(request.getAttempt())
                    .setCreatedAt(now)
                    .build();
            context.forward(new Record<>(request.getRequestId(), task, now));
        }
    }
}
