package fusion.events;

import fusion.schema.PanelTask;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** Beside the panel calls, one panel.added per panel task that the fan-out makes. */
public final class PanelAddedEvents implements Processor<String, PanelTask, String, FusionEvent> {
    private final EventRoute route;
    private ProcessorContext<String, FusionEvent> context;

    public PanelAddedEvents(EventRoute route) {
        this.route = route;
    }

    @Override
    public void init(ProcessorContext<String, FusionEvent> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, PanelTask> record) {
        PanelTask t = record.value();
        if (t == null) return;
        route.emit(context, FusionEvent.panelAdded(t.getRequestId(), t.getAttempt(), t.getModel(), t.getIndex(), t.getPanelSize(),
                context.currentSystemTimeMs()));
    }
}
