package fusion.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real HTTP server speaking OpenAI-compatible chat completions, for tests, the demo and the
 * benchmark. Answers are deterministic per (model, prompt); latencies and injected failures per
 * (model, request body, attempt number), the attempt being counted here: the n-th time in a row the
 * same body comes for the same model (see {@link SimulatorConfig}). So a retry can succeed, and a
 * run repeated from scratch meets the same faults. Handler threads never sleep: a delayed answer is
 * written later by a scheduler, so thousands of calls can wait at once.
 *
 * <p>Magic model ids (matched anywhere in the id): {@code always-402}, {@code always-429},
 * {@code always-500}, {@code always-529}, {@code always-400}, {@code always-401}, {@code always-404},
 * {@code always-timeout}, {@code always-garbage}, {@code always-empty}, {@code error-in-200},
 * {@code slow-<ms>}; judges {@code prose} (answers prose) and {@code misshapen} (JSON of another shape).
 *
 * <p>Offered function tools ({@code web_search}, {@code web_fetch}), panel models call them for half the prompts,
 * the same ones every run, and answer from the {@code role: tool} results (see {@link SimulatedToolUse}).
 */
public final class Simulator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Simulator.class);

    static {
        // The JDK server writes headers and body apart; with Nagle on, each answer waits ~40 ms for the
        // client's delayed ACK, so a call "at zero latency" took 45 ms. Read once, when the server class loads.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ALWAYS = Pattern.compile("always-(\\d{3})");
    private static final Pattern SLOW = Pattern.compile("slow-(\\d+)");

    private final SimulatorConfig config;
    private final HttpServer server;
    private final ExecutorService handlers;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong calls = new AtomicLong();
    /**
     * Attempts so far of each (model, body) whose last attempt met a transient fault; forgotten once
     * one does not, so the map holds only calls being retried, and a later identical call starts at 1.
     */
    private final Map<Long, Integer> faultedAttempts = new ConcurrentHashMap<>();
    private final BufferedWriter requestLog;
    private final SimulatedBatches batches;

    private Simulator(SimulatorConfig config) throws IOException {
        this.config = config;
        this.requestLog = config.requestLog() == null ? null : Files.newBufferedWriter(config.requestLog(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port()), 4096);
        this.handlers = Executors.newFixedThreadPool(4, daemon("simulator-http"));
        this.scheduler = Executors.newScheduledThreadPool(2, daemon("simulator-clock"));
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        SimulatedWeb.serveOn(server);
        this.batches = new SimulatedBatches(server, config);
        server.start();
    }

    public static Simulator start(SimulatorConfig config) {
        try {
            return new Simulator(config);
        } catch (IOException e) {
            throw new UncheckedIOException("the simulator could not listen on port " + config.port(), e);
        }
    }

    /** Base URL of the API, ending in /v1. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /** Root of the simulated web: a SearxNG-shaped {@code /search} and {@code /pages/...} (see {@link SimulatedWeb}). */
    public String webUrl() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The batch endpoints this simulator serves: their turnaround, line failures and the submissions received. */
    public SimulatedBatches batches() { return batches; }

    /** Chat-completion calls received so far, answered or not. */
    public long callCount() {
        return calls.get();
    }

    @Override
    public void close() {
        server.stop(0);
        scheduler.shutdownNow();
        handlers.shutdownNow();
        if (requestLog != null) {
            synchronized (requestLog) {
                try {
                    requestLog.close();
                } catch (IOException e) {
                    log.warn("closing the simulator's request log failed", e);
                }
            }
        }
    }

    /** A response to send, after a delay. */
    private record Reply(int status, String body, String retryAfter, long delayMs) {}

    private void handle(HttpExchange exchange) {
        try {
            Reply reply = reply(exchange);
            if (reply.delayMs() <= 0) {
                send(exchange, reply);
            } else {
                scheduler.schedule(() -> send(exchange, reply), reply.delayMs(), TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException | IOException e) {
            log.warn("simulator failed to answer", e);
            send(exchange, new Reply(500, error(500, "simulator error: " + e.getMessage()), null, 0));
        }
    }

    private Reply reply(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().endsWith("/chat/completions")) {
            return new Reply(404, error(404, "no such endpoint: " + exchange.getRequestURI().getPath()
                    + "; the simulator serves POST /v1/chat/completions"), null, 0);
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            return new Reply(405, error(405, "use POST for /chat/completions"), null, 0);
        }
        JsonNode body;
        try (InputStream in = exchange.getRequestBody()) {
            body = JSON.readTree(in);
        } catch (IOException e) {
            calls.incrementAndGet();
            return new Reply(400, error(400, "the request body is not JSON"), null, 0);
        }
        calls.incrementAndGet();
        if (config.requireKey() != null && !("Bearer " + config.requireKey()).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            // like a provider: the same answer for a missing and a wrong key, and the key never echoed
            return new Reply(401, error(401, "No auth credentials found or the API key is not valid (simulated)"), null, 0);
        }
        if (body == null || !body.path("model").isTextual() || !body.path("messages").isArray() || body.get("messages").isEmpty()) {
            return new Reply(400, error(400, "the request needs a string 'model' and a non-empty 'messages' array"), null, 0);
        }
        String model = body.get("model").asText();
        String messages = body.get("messages").toString();
        String lastUser = lastUser(body.get("messages"));
        long promptHash = hash(messages);
        long modelHash = hash(model + "\n" + messages);
        logRequest(model, body, lastUser);

        SimulatorConfig behaviour = config.forModel(model); // its own latency and failures, when it has them
        long attemptKey = hash(model + "\n" + body);
        int attempt = faultedAttempts.getOrDefault(attemptKey, 0) + 1;
        // attempt 1 draws exactly as before attempts were counted, so earlier seeds keep their fates
        SplittableRandom random = new SplittableRandom(behaviour.seed() ^ modelHash ^ (attempt == 1 ? 0 : mix(attempt)));
        long delay = delay(model, behaviour, random);
        if (model.contains("always-timeout")) return forced(599, model, delay, behaviour);
        if (model.contains("always-garbage")) return new Reply(200, "<html>not json", null, delay);
        Matcher always = ALWAYS.matcher(model);
        if (always.find()) return forced(Integer.parseInt(always.group(1)), model, delay);
        if (model.contains("error-in-200")) return new Reply(200, error(502, "upstream provider error"), null, delay);

        double u = random.nextDouble();
        Reply transientFault = null;
        if ((u -= behaviour.rateLimitedRate()) < 0) transientFault = forced(429, model, delay);
        else if ((u -= behaviour.creditsRate()) < 0) {
            faultedAttempts.remove(attemptKey);
            return forced(402, model, delay);
        } else if ((u -= behaviour.serverErrorRate()) < 0) transientFault = forced(500, model, delay);
        else if ((u -= behaviour.timeoutRate()) < 0) transientFault = forced(599, model, delay, behaviour);
        else if ((u -= behaviour.garbageRate()) < 0) transientFault = new Reply(200, "<html>not json", null, delay);
        if (transientFault != null) {
            faultedAttempts.put(attemptKey, attempt);
            return transientFault;
        }
        faultedAttempts.remove(attemptKey);
        if ((u - behaviour.emptyRate()) < 0 || model.contains("always-empty") || body.path("max_completion_tokens").asInt(Integer.MAX_VALUE) < 16) {
            return new Reply(200, completion(model, messages, "", "length"), null, delay);
        }
        String content = roleAnswer(model, lastUser);
        if (content == null) {
            var toolAnswers = SimulatedToolUse.toolAnswers(body.get("messages"));
            if (toolAnswers.isEmpty()) {
                var toolCalls = SimulatedToolUse.calls(body, SimulatedToolUse.topic(lastUser), promptHash, modelHash, "http://127.0.0.1:" + port());
                if (toolCalls != null) return new Reply(200, toolCallsCompletion(model, messages, toolCalls), null, delay);
                content = SimulatedAnswers.panel(model, lastUser, promptHash, modelHash);
            } else {
                String question = question(body.get("messages"));
                content = SimulatedAnswers.panel(model, question, hash(question), hash(model + "\n" + question))
                        + "\n" + SimulatedToolUse.citing(toolAnswers);
            }
        }
        return new Reply(200, completion(model, messages, content, "stop"), null, delay);
    }

    /** What a grader, a synthesis writer or a judge answers, by what the prompt asks of it; null for a panel model's prompt. */
    static String roleAnswer(String model, String lastUser) {
        if (SimulatedGrades.isGrader(lastUser)) return SimulatedGrades.grade(lastUser);
        if (SimulatedAnswers.isSynthesis(lastUser)) return SimulatedAnswers.synthesis(lastUser);
        if (SimulatedAnswers.isJudge(lastUser) && model.contains("prose")) return SimulatedAnswers.prose();
        if (SimulatedAnswers.isJudge(lastUser) && model.contains("misshapen")) return SimulatedAnswers.misshapen();
        if (SimulatedAnswers.isJudge(lastUser)) return SimulatedAnswers.judge(lastUser);
        return null;
    }

    /** A failure the way a provider sends it; 599 stands for "no answer in time". */
    private Reply forced(int status, String model, long delay) {
        return forced(status, model, delay, config);
    }

    private Reply forced(int status, String model, long delay, SimulatorConfig behaviour) {
        switch (status) {
            case 402: return new Reply(402, error(402, "Insufficient credits. Add more using https://openrouter.ai/settings/credits (simulated)"), null, delay);
            case 429: return new Reply(429, error(429, "Rate limit exceeded for " + model + ", retry shortly (simulated)"), "1", delay);
            case 599: return new Reply(200, completion(model, "", "(simulated answer after a hang)", "stop"), null, behaviour.timeoutHangMs());
            default:
                return new Reply(status, error(status, "simulated failure " + status + " for " + model), null, delay);
        }
    }

    private static long delay(String model, SimulatorConfig behaviour, SplittableRandom random) {
        Matcher slow = SLOW.matcher(model);
        long base = slow.find() ? Long.parseLong(slow.group(1)) : behaviour.latencyMs();
        if (behaviour.jitterMs() == 0) return base;
        return Math.max(0, base + Math.round((random.nextDouble() * 2 - 1) * behaviour.jitterMs()));
    }

    static String completion(String model, String messages, String content, String finishReason) {
        long prompt = messages.length() / 4 + 1;
        long completion = content.length() / 4 + 1;
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "gen-sim-" + Long.toHexString(hash(model + content)))
                .put("object", "chat.completion")
                .put("created", System.currentTimeMillis() / 1000)
                .put("model", model)
                .put("provider", "fusion-simulator");
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0).put("finish_reason", finishReason);
        choice.putObject("message").put("role", "assistant").put("content", content);
        body.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion).put("cost", (prompt + completion) * 0.000001);
        return body.toString();
    }

    /** A turn that asks for tools: no text, finish_reason tool_calls. */
    private static String toolCallsCompletion(String model, String messages, com.fasterxml.jackson.databind.node.ArrayNode toolCalls) {
        ObjectNode body = (ObjectNode) parse(completion(model, messages, "", "tool_calls"));
        ObjectNode message = (ObjectNode) body.path("choices").get(0).path("message");
        message.putNull("content");
        message.set("tool_calls", toolCalls);
        return body.toString();
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The question a tool loop is about: the last user message before the model first asked for tools. */
    private static String question(JsonNode messages) {
        String question = null;
        for (JsonNode m : messages) {
            if (m.has("tool_calls")) break;
            if ("user".equals(m.path("role").asText())) question = m.path("content").asText("");
        }
        return question != null ? question : lastUser(messages);
    }

    private static String error(int code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("code", code).put("message", message);
        return body.toString();
    }

    static String lastUser(JsonNode messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if ("user".equals(m.path("role").asText())) return m.path("content").asText("");
        }
        return messages.get(messages.size() - 1).path("content").asText("");
    }

    private void send(HttpExchange exchange, Reply reply) {
        answer(exchange, reply.status(), reply.body().startsWith("{") ? "application/json" : "text/html", reply.retryAfter(), reply.body());
    }

    /**
     * Writes one HTTP answer of any of the simulator's endpoints and closes the exchange; a client gone already is
     * no error of the simulator's.
     */
    static void answer(HttpExchange exchange, int status, String contentType, String retryAfter, String body) {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            if (retryAfter != null) exchange.getResponseHeaders().set("Retry-After", retryAfter);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (IOException e) {
            log.debug("client went away before the simulator answered: {}", e.toString());
        }
    }

    private void logRequest(String model, JsonNode body, String lastUser) {
        if (requestLog == null) return;
        ObjectNode line = JSON.createObjectNode().put("model", model).put("key", sha256(model + "\n" + body.get("messages")
                + "\n" + body.path("temperature") + "\n" + body.path("max_completion_tokens"))).put("ts", System.currentTimeMillis())
                .put("prompt", lastUser);
        // a tool loop's later turns carry the tool results so far: 0 marks a call's first turn
        int toolResults = 0;
        for (JsonNode m : body.path("messages")) if ("tool".equals(m.path("role").asText())) toolResults++;
        line.put("tool_results", toolResults);
        synchronized (requestLog) {
            try {
                requestLog.write(line.toString());
                requestLog.newLine();
                requestLog.flush();
            } catch (IOException e) {
                log.warn("writing the simulator's request log failed", e);
            }
        }
    }

    /** Spreads a small attempt number over all 64 bits (SplitMix64's finaliser), so attempt seeds are far apart. */
    static long mix(long x) {
        x = (x ^ (x >>> 30)) * 0xbf58476d1ce4e5b9L;
        x = (x ^ (x >>> 27)) * 0x94d049bb133111ebL;
        return x ^ (x >>> 31);
    }

    static long hash(String s) {
        byte[] d = digest(s);
        long h = 0;
        for (int i = 0; i < 8; i++) h = (h << 8) | (d[i] & 0xff);
        return h;
    }

    private static String sha256(String s) {
        return HexFormat.of().formatHex(digest(s));
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
