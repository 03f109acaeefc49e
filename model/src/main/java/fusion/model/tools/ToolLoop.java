package fusion.model.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import fusion.model.ChatClient;
import fusion.model.ChatMessage;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.FailureKind;
import fusion.model.ProviderConfig;
import fusion.model.ProviderRoutes;
import fusion.model.ToolCall;
import fusion.model.Usage;
import fusion.model.WebFunctions;
import fusion.web.ToolResult;
import fusion.web.WebTools;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Our own tool loop, for providers that run no server tools (vLLM, Ollama, llama.cpp, OpenAI, the simulator):
 * a call that asks for web tools is offered {@code web_search(query)} (when a search backend is configured) and
 * {@code web_fetch(url)} as function tools; each turn that asks for tools has them run (parallel calls at once)
 * and is answered with {@code role: tool} messages, until the model answers or has taken {@code max_tool_calls}
 * steps; then it is asked once more, with no tools offered, for its answer.
 *
 * <p>A step is one model turn that asked for tools, however many calls it made: the spec's "tool-calling steps".
 * Every turn goes through {@code calls} (limits, retries, circuit), and the loop completes as one outcome: the
 * last turn's answer with the usage, attempts and requests of all turns summed, so the cost accounting and the
 * exactly-once bookkeeping of the call stage see one call. Turns and tool results are kept in {@link ToolSteps},
 * so a loop issued again after a crash replays what it had done rather than paying for it twice.
 *
 * <p>A call whose provider runs server tools, or that asks for none, passes through untouched.
 */
public final class ToolLoop implements ChatClient {
    /** The spec's default bound on tool steps. */
    public static final int DEFAULT_MAX_TOOL_CALLS = 8;
    static final String FINAL_TURN = "You have used all the tool calls you may make. Answer now, from what you have found so far.";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private final ChatClient calls;
    private final ProviderRoutes routes;
    private final WebTools web;
    private final ToolSteps steps;
    private final ExecutorService toolThreads;
    /**
     * Turns on the wire, by fingerprint: a loop issued again while its first run is still going (its task moved
     * within this process) waits for the same turn rather than paying for it a second time.
     */
    private final Map<String, CompletableFuture<ChatOutcome>> inFlight = new ConcurrentHashMap<>();

    /**
     * @param calls  where every turn goes: the resilient client, so each turn meets the same limits and retries as any call
     * @param routes which provider serves a model, and whether it runs the tools itself
     * @param web    the tools run on the model's behalf
     */
    public ToolLoop(ChatClient calls, ProviderRoutes routes, WebTools web, ToolSteps steps) {
        this.calls = calls;
        this.routes = routes;
        this.web = web;
        this.steps = steps;
        AtomicInteger n = new AtomicInteger();
        // tool calls block on the web; they never run on the HTTP client's or the stream's threads
        this.toolThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fusion-web-tool-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public CompletableFuture<ChatOutcome> complete(ChatRequest request) {
        if (request == null || request.serverTools().isEmpty()) return calls.complete(request);
        boolean providerRunsTools = routes.route(request.model()).map(ProviderConfig::serverTools).orElse(true);
        if (providerRunsTools) return calls.complete(request);
        List<String> offered = offered(request.serverTools());
        if (offered.isEmpty()) return calls.complete(request.withServerTools(List.of()));
        return new Run(request, offered).start();
    }

    /** The asked-for tools we can run: web_search only with a search backend. */
    private List<String> offered(List<String> asked) {
        List<String> out = new ArrayList<>();
        if (asked.contains(WebFunctions.SEARCH) && web.searchAvailable()) out.add(WebFunctions.SEARCH);
        if (asked.contains(WebFunctions.FETCH)) out.add(WebFunctions.FETCH);
        return out;
    }

    /** One logical call: its conversation so far and what its turns came to. */
    private final class Run {
        private final ChatRequest request;
        private final List<String> offered;
        private final int bound;
        private final long startedNanos = System.nanoTime();
        /** What the caller holds; once it is done (cancelled at the call's deadline, say) no further turn is sent. */
        private final CompletableFuture<ChatOutcome> result = new CompletableFuture<>();
        private final List<ChatMessage> conversation;
        /** Tool results of this run by call: a repeated identical call is answered from the first. */
        private final Map<String, ToolResult> ran = new HashMap<>();
        private final Set<String> sources = new LinkedHashSet<>();
        private final Map<String, Integer> retries = new HashMap<>();
        private String loopKey;
        private Usage usage = Usage.NONE;
        private int attempts;
        private int httpRequests;
        private long circuitWaitMs;
        private int taken;

        Run(ChatRequest request, List<String> offered) {
            this.request = request;
            this.offered = offered;
            this.bound = request.maxToolCalls() == null ? DEFAULT_MAX_TOOL_CALLS : request.maxToolCalls();
            this.conversation = new ArrayList<>(request.messages());
        }

        CompletableFuture<ChatOutcome> start() {
            turn(offered).thenCompose(this::next).whenComplete((outcome, error) -> {
                if (error != null) result.completeExceptionally(error);
                else result.complete(outcome);
            });
            return result;
        }

        private CompletableFuture<ChatOutcome> next(ChatOutcome outcome) {
            if (!outcome.wantsTools() || result.isDone()) return CompletableFuture.completedFuture(finished(outcome));
            taken++;
            List<ToolCall> asked = outcome.toolCalls();
            conversation.add(ChatMessage.toolRequest(outcome.content(), asked));
            return runAll(asked).thenCompose(results -> {
                for (int i = 0; i < asked.size(); i++) conversation.add(ChatMessage.toolResult(asked.get(i).id(), results.get(i).content()));
                if (taken < bound) return turn(offered).thenCompose(this::next);
                // the bound is reached: one more turn, no tools offered, for a text answer
                conversation.add(ChatMessage.user(FINAL_TURN));
                return turn(List.of()).thenApply(this::finished);
            });
        }

        /** One model turn, replayed when an earlier run of this call already took it. */
        private CompletableFuture<ChatOutcome> turn(List<String> tools) {
            ChatRequest step = request.loopStep(conversation, tools);
            String fingerprint = fingerprint(step);
            if (loopKey == null) loopKey = fingerprint;
            if (result.isDone()) {
                return CompletableFuture.completedFuture(ChatOutcome.failed(request.model(), FailureKind.CANCELLED, null,
                        "tool loop stopped: its call was given up", 0));
            }
            ChatOutcome earlier = steps.turn(fingerprint);
            CompletableFuture<ChatOutcome> outcome = earlier != null ? CompletableFuture.completedFuture(earlier) : send(fingerprint, step);
            return outcome.thenApply(o -> {
                usage = usage.plus(o.wantsTools() ? o.usage().asToolStep(0) : o.usage());
                attempts += o.attempts();
                httpRequests += o.httpRequests();
                circuitWaitMs += o.circuitWaitMs();
                o.retriesByReason().forEach((reason, n) -> retries.merge(reason, n, Integer::sum));
                sources.addAll(o.sources());
                return o;
            });
        }

        /** Sends a turn, or joins the same turn already on the wire; a succeeded turn is journalled for replay. */
        private CompletableFuture<ChatOutcome> send(String fingerprint, ChatRequest step) {
            CompletableFuture<ChatOutcome> mine = new CompletableFuture<>();
            CompletableFuture<ChatOutcome> running = inFlight.putIfAbsent(fingerprint, mine);
            if (running != null) return running;
            calls.complete(step).whenComplete((o, error) -> {
                if (o != null && o.succeeded()) steps.turnTaken(fingerprint, o);
                inFlight.remove(fingerprint, mine);
                if (error != null) mine.completeExceptionally(error);
                else mine.complete(o);
            });
            return mine;
        }

        /** Runs a turn's tool calls at once; results in the calls' order. */
        private CompletableFuture<List<ToolResult>> runAll(List<ToolCall> asked) {
            List<CompletableFuture<ToolResult>> results = new ArrayList<>();
            Map<String, CompletableFuture<ToolResult>> thisTurn = new HashMap<>();
            for (ToolCall call : asked) {
                String key = callKey(call);
                ToolResult first = ran.get(key);
                if (first != null) {
                    results.add(CompletableFuture.completedFuture(first));
                } else {
                    // the same call twice in one turn runs once too
                    results.add(thisTurn.computeIfAbsent(key, k -> CompletableFuture.supplyAsync(() -> run(call, k), toolThreads)));
                }
            }
            return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> {
                List<ToolResult> out = new ArrayList<>(results.size());
                for (int i = 0; i < asked.size(); i++) {
                    ToolResult r = results.get(i).join();
                    String key = callKey(asked.get(i));
                    if (ran.putIfAbsent(key, r) == null) {
                        r.sources().forEach(s -> sources.add(s.url()));
                        if (!r.refused()) usage = usage.plus(new Usage(0, 0, 0, null, 1, null));
                    }
                    out.add(r);
                }
                return out;
            });
        }

        private ToolResult run(ToolCall call, String key) {
            String journalKey = loopKey + "|" + key;
            ToolResult earlier = steps.toolResult(journalKey);
            if (earlier != null) return earlier;
            ToolResult result = execute(call);
            steps.toolRan(journalKey, result);
            return result;
        }

        private ChatOutcome finished(ChatOutcome last) {
            sources.addAll(last.sources());
            long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
            return new ChatOutcome(request.model(), last.succeeded() ? last.content() : null, last.reasoning(), usage, latency,
                    last.statusCode(), last.failure(), last.errorMessage(), last.finishReason(), new ArrayList<>(sources), attempts,
                    last.retryAfterMillis(), last.rateLimit(), retries, circuitWaitMs, httpRequests, List.of());
        }
    }

    /** Runs one call; a malformed call gets an error the model can read, never an exception. */
    private ToolResult execute(ToolCall call) {
        JsonNode args;
        try {
            args = call.arguments().isBlank() ? JSON.createObjectNode() : JSON.readTree(call.arguments());
        } catch (JsonProcessingException e) {
            return ToolResult.refusal("error: the arguments of " + call.name() + " are not valid JSON");
        }
        try {
            switch (call.name()) {
                case WebFunctions.SEARCH -> {
                    String query = args.path("query").asText("");
                    if (query.isBlank()) return ToolResult.refusal("error: web_search needs {\"query\": \"...\"}");
                    if (!web.searchAvailable()) return ToolResult.refusal("error: web_search is not available");
                    return web.search(query);
                }
                case WebFunctions.FETCH -> {
                    String url = args.path("url").asText("");
                    if (url.isBlank()) return ToolResult.refusal("error: web_fetch needs {\"url\": \"https://...\"}");
                    return web.fetch(url);
                }
                default -> {
                    return ToolResult.refusal("error: no tool named " + call.name() + "; the tools are " + WebFunctions.SEARCH
                            + " and " + WebFunctions.FETCH);
                }
            }
        } catch (RuntimeException e) {
            // WebTools promise not to throw; should one break that, the loop still answers the model
            return ToolResult.refusal("error: " + call.name() + " failed");
        }
    }

    /** A call by what it asks for, its arguments in canonical form: two spellings of the same call are one call. */
    static String callKey(ToolCall call) {
        String args = call.arguments();
        try {
            JsonNode parsed = JSON.readTree(args.isBlank() ? "{}" : args);
            args = JSON.writeValueAsString(JSON.treeToValue(parsed, Object.class));
        } catch (JsonProcessingException e) {
            // malformed: keyed as written
        }
        return call.name() + " " + args;
    }

    /** What makes two turns the same turn: everything that reaches the model. */
    static String fingerprint(ChatRequest step) {
        try {
            byte[] bytes = JSON.writeValueAsString(step).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot fingerprint a tool-loop turn", e);
        }
    }

    /** Stops the tool threads and closes the journal; {@code calls} belongs to whoever made it, and stays open. */
    @Override
    public void close() {
        toolThreads.shutdownNow();
        if (steps instanceof ToolStepFile file) file.close();
    }
}
