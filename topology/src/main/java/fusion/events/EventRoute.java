package fusion.events;

import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Where a stage's processor writes its events: a child node (the events topic's sink) of the same
 * topology, so that an event goes out in the transaction of the state change it reports. {@link #OFF}
 * ({@code fusion.events=false}) writes none.
 */
public record EventRoute(String child) {
    public static final EventRoute OFF = new EventRoute(null);

    public static EventRoute to(String child, boolean on) {
        return on ? new EventRoute(child) : OFF;
    }

    public boolean on() {
        return child != null;
    }

    public void emit(ProcessorContext<String, ? super FusionEvent> context, FusionEvent event) {
        if (child == null) return;
        context.forward(new Record<>(event.requestId(), event, context.currentSystemTimeMs()), child);
    }
}
