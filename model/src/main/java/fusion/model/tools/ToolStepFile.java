package fusion.model.tools;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.model.ChatOutcome;
import fusion.model.ToolCall;
import fusion.model.Usage;
import fusion.web.ToolResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ToolSteps} kept in a file of the run's state directory as well as in memory, so a loop reissued after
 * the process died (kill -9, a crash) replays the turns and tool calls its first run finished instead of paying
 * for them again. One JSON line per entry, appended and flushed as each turn or tool call completes; a line cut
 * short by the crash is skipped on reading. It is a cache, not the record of the call: a turn missing from it is
 * only sent again, and exactly one outcome per call is still the call stage's doing. On opening, the file is
 * rewritten with its newest {@code capacity} entries, so it does not grow without bound across runs.
 */
final class ToolStepFile implements ToolSteps, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ToolStepFile.class);
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** What a replayed turn needs of its outcome. */
    record Turn(String model, String content, String reasoning, Usage usage, long latencyMs, Integer statusCode, String finishReason,
                List<String> sources, int attempts, int httpRequests, List<ToolCall> toolCalls) {
        static Turn of(ChatOutcome o) {
            return new Turn(o.model(), o.content(), o.reasoning(), o.usage(), o.latencyMs(), o.statusCode(), o.finishReason(), o.sources(),
                    o.attempts(), o.httpRequests(), o.toolCalls());
        }

        ChatOutcome outcome() {
            return new ChatOutcome(model, content, reasoning, usage, latencyMs, statusCode, null, null, finishReason, sources, attempts, null,
                    null, Map.of(), 0, httpRequests, toolCalls);
        }
    }

    private final ToolSteps memory;
    private final Path file;
    private final BufferedWriter out;

    private ToolStepFile(Path file, int capacity) throws IOException {
        this.file = file;
        this.memory = ToolSteps.inMemory(capacity);
        List<String> kept = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (load(line)) kept.add(line);
            }
        }
        // keep the newest entries only: older ones belong to calls long finished
        List<String> newest = kept.subList(Math.max(0, kept.size() - capacity), kept.size());
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path rewritten = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(rewritten, newest, StandardCharsets.UTF_8);
        Files.move(rewritten, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    static ToolStepFile open(Path file, int capacity) {
        try {
            return new ToolStepFile(file, capacity);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the tool-loop journal " + file, e);
        }
    }

    /** Takes one line into memory; false for a line that cannot be read (one the crash cut short). */
    private boolean load(String line) {
        try {
            JsonNode entry = JSON.readTree(line);
            String key = entry.path("key").asText();
            if (entry.has("turn")) memory.turnTaken(key, JSON.treeToValue(entry.get("turn"), Turn.class).outcome());
            else if (entry.has("tool")) memory.toolRan(key, JSON.treeToValue(entry.get("tool"), ToolResult.class));
            else return false;
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public ChatOutcome turn(String fingerprint) {
        return memory.turn(fingerprint);
    }

    @Override
    public void turnTaken(String fingerprint, ChatOutcome outcome) {
        memory.turnTaken(fingerprint, outcome);
        append(JSON.createObjectNode().put("key", fingerprint).set("turn", JSON.valueToTree(Turn.of(outcome))));
    }

    @Override
    public ToolResult toolResult(String key) {
        return memory.toolResult(key);
    }

    @Override
    public void toolRan(String key, ToolResult result) {
        memory.toolRan(key, result);
        append(JSON.createObjectNode().put("key", key).set("tool", JSON.valueToTree(result)));
    }

    private synchronized void append(ObjectNode entry) {
        try {
            out.write(JSON.writeValueAsString(entry));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            // only a replay is lost: the loop goes on
            log.warn("could not write the tool-loop journal {}: {}", file, e.toString());
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            log.debug("closing the tool-loop journal failed", e);
        }
    }
}
