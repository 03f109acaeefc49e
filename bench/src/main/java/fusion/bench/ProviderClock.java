package fusion.bench;

import fusion.model.ChatClient;
import fusion.model.ChatMessage;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sits between the limits and HTTP and records each bench request's provider time: its slowest
 * panel call plus its judge call, with no queue or pipeline in it. That is the ideal a variant's
 * end-to-end latency is compared against. Requests are told apart by the "Question N:" they carry.
 */
final class ProviderClock implements ChatClient {
    private static final Pattern QUESTION = Pattern.compile("Question (\\d+):");
    private final ChatClient http;
    private final ConcurrentHashMap<Integer, long[]> times = new ConcurrentHashMap<>();

    ProviderClock(ChatClient http) {
        this.http = http;
    }

    @Override
    public CompletableFuture<ChatOutcome> complete(ChatRequest request) {
        long started = System.nanoTime();
        return http.complete(request).thenApply(outcome -> {
            record(request, (System.nanoTime() - started) / 1_000_000);
            return outcome;
        });
    }

    private void record(ChatRequest request, long ms) {
        ChatMessage last = request.messages().get(request.messages().size() - 1);
        Matcher m = QUESTION.matcher(last.content());
        if (!m.find()) return;
        boolean judge = request.model().equals(Scenario.JUDGE);
        times.compute(Integer.parseInt(m.group(1)), (k, t) -> {
            long[] v = t == null ? new long[2] : t;
            if (judge) v[1] = ms;
            else v[0] = Math.max(v[0], ms);
            return v;
        });
    }

    /** Slowest panel call plus judge call of request {@code i}, in ms. */
    long ideal(int i) {
        long[] t = times.get(i);
        return t == null ? 0 : t[0] + t[1];
    }

    void reset() {
        times.clear();
    }

    @Override
    public void close() {
        http.close();
    }
}
