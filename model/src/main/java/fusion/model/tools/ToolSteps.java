package fusion.model.tools;

import fusion.model.ChatOutcome;
import fusion.web.ToolResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a tool loop has already done, by fingerprint: the model turns it paid for and the tool calls it ran.
 * A loop started again for the same call (its first owner crashed, or its task moved) replays these
 * instead of paying for them again; since each replayed turn and tool result is the very one of the first
 * run, every later step has the same fingerprint too, and the loop picks up where it stopped.
 */
public interface ToolSteps {
    /** The model turn of this fingerprint taken before, or null. */
    ChatOutcome turn(String fingerprint);

    void turnTaken(String fingerprint, ChatOutcome outcome);

    /** The tool call of this key run before, or null. */
    ToolResult toolResult(String key);

    void toolRan(String key, ToolResult result);

    /** Remembers nothing: every loop starts from scratch. */
    ToolSteps NONE = new ToolSteps() {
        @Override public ChatOutcome turn(String fingerprint) { return null; }
        @Override public void turnTaken(String fingerprint, ChatOutcome outcome) {}
        @Override public ToolResult toolResult(String key) { return null; }
        @Override public void toolRan(String key, ToolResult result) {}
    };

    /**
     * Kept in this process, the oldest forgotten past {@code capacity} entries: a loop reissued in the same JVM
     * (a rebalance, a restarted stream thread) resumes; one reissued after the process died starts again.
     */
    static ToolSteps inMemory(int capacity) {
        return new InMemory(capacity);
    }

    /**
     * Kept in {@code file} as well (in the run's state directory), so a loop reissued after the process died resumes
     * too. Close it when the client closes.
     */
    static ToolSteps inFile(java.nio.file.Path file, int capacity) {
        return ToolStepFile.open(file, capacity);
    }

    final class InMemory implements ToolSteps {
        private final Map<String, Object> entries;

        private InMemory(int capacity) {
            entries = new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
                    return size() > capacity;
                }
            };
        }

        @Override
        public synchronized ChatOutcome turn(String fingerprint) {
            return entries.get("turn:" + fingerprint) instanceof ChatOutcome o ? o : null;
        }

        @Override
        public synchronized void turnTaken(String fingerprint, ChatOutcome outcome) {
            entries.put("turn:" + fingerprint, outcome);
        }

        @Override
        public synchronized ToolResult toolResult(String key) {
            return entries.get("tool:" + key) instanceof ToolResult r ? r : null;
        }

        @Override
        public synchronized void toolRan(String key, ToolResult result) {
            entries.put("tool:" + key, result);
        }
    }
}
