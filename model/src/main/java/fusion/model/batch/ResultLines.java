package fusion.model.batch;

import com.fasterxml.jackson.databind.JsonNode;
import fusion.model.ChatCompletionBodies;
import fusion.model.ChatOutcome;
import fusion.model.FailureKind;
import fusion.model.ProviderConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Result lines in the envelope OpenRouter and OpenAI share: {@code {"id", "custom_id", "response": {"status_code",
 * "body"}, "error": {"code", "message"}}}, exactly one of {@code response} and {@code error} set. Collected by
 * custom_id; one malformed line becomes that line's typed failure and never fails the others.
 */
final class ResultLines {
    private static final Logger log = LoggerFactory.getLogger(ResultLines.class);

    private final String model;
    private final ProviderConfig provider;
    private final BatchCost cost;
    private final Map<String, ChatOutcome> outcomes = new LinkedHashMap<>();

    ResultLines(String model, ProviderConfig provider, BatchCost cost) {
        this.model = model;
        this.provider = provider;
        this.cost = cost;
    }

    void add(JsonNode line) {
        String customId = line.path("custom_id").asText(null);
        if (customId == null || customId.isBlank()) {
            log.warn("{} batch result line without a custom_id ignored", provider.name());
            return;
        }
        add(customId, outcome(line));
    }

    /** A line read in another envelope (Anthropic's); a line delivered twice (a retried page) counts once. */
    void add(String customId, ChatOutcome outcome) {
        outcomes.putIfAbsent(customId, cost.priced(outcome));
    }

    private ChatOutcome outcome(JsonNode line) {
        JsonNode error = line.get("error");
        JsonNode response = line.get("response");
        if (error != null && !error.isNull() && (response == null || response.isNull())) {
            return ChatCompletionBodies.lineError(model, provider, error, 0);
        }
        if (response == null || !response.isObject()) {
            return ChatOutcome.failed(model, FailureKind.INVALID_RESPONSE, null, "batch result line has neither a response nor an error", 0);
        }
        return ChatCompletionBodies.outcome(model, provider, response.path("status_code").asInt(200), response.get("body"), 0);
    }

    BatchResults results(String batchId, BatchStatus status, Collection<String> submitted) {
        Set<String> sent = new HashSet<>(submitted);
        List<String> missing = new ArrayList<>();
        for (String id : submitted) {
            if (!outcomes.containsKey(id)) missing.add(id);
        }
        Map<String, ChatOutcome> known = new LinkedHashMap<>();
        outcomes.forEach((id, o) -> {
            if (sent.contains(id)) known.put(id, o);
            else log.warn("{} batch {} answered custom_id {}, which it was not sent; ignored", provider.name(), batchId, id);
        });
        return new BatchResults(batchId, status, known, missing);
    }
}
