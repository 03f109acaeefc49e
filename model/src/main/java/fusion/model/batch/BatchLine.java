package fusion.model.batch;

import fusion.model.ChatRequest;
import java.util.Objects;

/**
 * One call inside a batch: the provider answers it under {@code customId}, which is how its result finds its way
 * back (the caller picks ids that say which request, stage and model it was).
 */
public record BatchLine(String customId, ChatRequest request) {
    public BatchLine {
        Objects.requireNonNull(customId, "customId");
        Objects.requireNonNull(request, "request");
        if (customId.isBlank()) throw new IllegalArgumentException("a batch line needs a non-blank custom_id");
    }
}
