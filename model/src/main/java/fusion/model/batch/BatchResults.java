package fusion.model.batch;

import fusion.model.ChatOutcome;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a finished batch came to, line by line.
 *
 * @param outcomes by custom_id: each a success (content, usage, cost) or a failure typed like a synchronous call's
 *                 ({@link fusion.model.FailureKind}); in the provider's order
 * @param missing  custom_ids that were submitted but have no line in the results: to be sent again, never taken as answered
 */
public record BatchResults(String batchId, BatchStatus status, Map<String, ChatOutcome> outcomes, List<String> missing) {
    public BatchResults {
        outcomes = Collections.unmodifiableMap(new LinkedHashMap<>(outcomes));
        missing = List.copyOf(missing);
    }
}
