package fusion.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The providers' batch endpoints, served by the simulator: OpenRouter's ({@code POST /batches} with inline
 * {@code requests}, {@code GET /batches/{id}}, {@code GET /batches/{id}/results}) and OpenAI's ({@code POST /files},
 * {@code POST /batches} with an {@code input_file_id}, {@code GET /files/{id}/content}, {@code POST /batches/{id}/cancel}),
 * under {@code /v1}, {@code /api/v1} and {@code /api/beta}.
 *
 * <p>A batch completes after {@link Settings#turnaroundPolls()} polls (counted, never timed, so tests need not sleep).
 * Each line is answered with exactly the content a synchronous simulated call of the same body gets. Line fates are
 * drawn per (seed, model, custom_id): a fraction fail with an upstream error, a fraction go missing from the results.
 * Magic model ids: {@code batch-expired} (expires with half its lines answered), {@code batch-failed} (fails whole),
 * {@code always-NNN} (every line answered with HTTP NNN). Every submission is recorded ({@link #submissions()}) and
 * written to the request log as a {@code "batch"} line; no line counts as a chat-completion call.
 *
 * <p>A create's {@code metadata} is kept and shown, and {@code GET /batches?limit=&after=} lists batches newest first
 * (OpenAI's and OpenRouter's list shape). {@link Settings#createFailures()} makes the first creations answer 500 after
 * the batch was stored: the crash window a caller closes by listing (a batch it never heard of).
 */
public final class SimulatedBatches {
    private static final Logger log = LoggerFactory.getLogger(SimulatedBatches.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ALWAYS = Pattern.compile("always-(\\d{3})");
    private static final Pattern BATCH_PATH = Pattern.compile(".*/batches/([^/]+)(/results|/cancel)?/?$");
    private static final Pattern FILE_PATH = Pattern.compile(".*/files/([^/]+)/content/?$");
    private static final List<String> ROOTS = List.of("/v1", "/api/v1", "/api/beta");

    /**
     * @param turnaroundPolls polls a batch answers {@code in_progress} before it is {@code completed}; 0 completes it at the first
     * @param lineFailureRate fraction of lines answered with an error object instead of a response
     * @param missingRate     fraction of lines left out of a completed batch's results
     * @param inlineResults   at most this many results come inline with the batch; more are only served paginated
     * @param createFailures  this many creations (the first, counted from {@link #configure}) store the batch and then answer
     *                        500, as a provider that accepted it and failed before saying so
     */
    public record Settings(int turnaroundPolls, double lineFailureRate, double missingRate, int inlineResults, int createFailures) {
        public static final Settings DEFAULTS = new Settings(2, 0, 0, 1000, 0);
        static final String PREFIX = SimulatorConfig.PREFIX + "batch.";

        public Settings {
            if (turnaroundPolls < 0) throw new IllegalArgumentException(PREFIX + "turnaround-polls is " + turnaroundPolls + "; it must be 0 or more");
            if (!(lineFailureRate >= 0 && missingRate >= 0 && lineFailureRate + missingRate <= 1)) {
                throw new IllegalArgumentException(PREFIX + "failure.line and " + PREFIX + "failure.missing must be fractions adding up to at most 1");
            }
            if (inlineResults < 0) throw new IllegalArgumentException(PREFIX + "inline-results is " + inlineResults + "; it must be 0 or more");
            if (createFailures < 0) throw new IllegalArgumentException(PREFIX + "create-failures is " + createFailures + "; it must be 0 or more");
        }

        public Settings(int turnaroundPolls, double lineFailureRate, double missingRate, int inlineResults) {
            this(turnaroundPolls, lineFailureRate, missingRate, inlineResults, 0);
        }

        /**
         * From {@code fusion.simulator.batch.turnaround-polls}, {@code .failure.line}, {@code .failure.missing},
         * {@code .inline-results}, {@code .create-failures}.
         */
        public static Settings fromProperties(Map<String, String> p) {
            try {
                return new Settings(
                        Integer.parseInt(p.getOrDefault(PREFIX + "turnaround-polls", "2").strip()),
                        Double.parseDouble(p.getOrDefault(PREFIX + "failure.line", "0").strip()),
                        Double.parseDouble(p.getOrDefault(PREFIX + "failure.missing", "0").strip()),
                        Integer.parseInt(p.getOrDefault(PREFIX + "inline-results", "1000").strip()),
                        Integer.parseInt(p.getOrDefault(PREFIX + "create-failures", "0").strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a " + PREFIX + "* setting is not a number: " + e.getMessage());
            }
        }
    }

    /** One batch received: which API, model and lines. */
    public record Submission(String batchId, String api, String model, List<String> customIds) {
        public Submission {
            customIds = List.copyOf(customIds);
        }
    }

    private record Line(String customId, JsonNode body) {}

    private static final class Batch {
        final String id;
        final String api;
        final String model;
        final List<Line> lines;
        final JsonNode metadata;
        final long createdAt = System.currentTimeMillis() / 1000;
        int polls;
        boolean cancelRequested;
        String status = "validating";
        List<ObjectNode> results = List.of();
        String outputFileId;
        String errorFileId;

        Batch(String id, String api, String model, List<Line> lines, JsonNode metadata) {
            this.id = id;
            this.api = api;
            this.model = model;
            this.lines = lines;
            this.metadata = metadata;
        }
    }

    private final SimulatorConfig config;
    private volatile Settings settings = Settings.DEFAULTS;
    private final Map<String, Batch> batches = new ConcurrentHashMap<>();
    /** Batches in creation order, for the newest-first list. */
    private final List<Batch> created = new CopyOnWriteArrayList<>();
    private final AtomicInteger createFailuresLeft = new AtomicInteger();
    private final Map<String, String> files = new ConcurrentHashMap<>();
    private final List<Submission> submissions = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();

    SimulatedBatches(HttpServer server, SimulatorConfig config) {
        this.config = config;
        for (String root : ROOTS) {
            server.createContext(root + "/batches", this::handle);
            server.createContext(root + "/files", this::handle);
        }
    }

    public void configure(Settings s) {
        this.settings = s;
        createFailuresLeft.set(s.createFailures());
    }

    /** Batches received so far, in order. */
    public List<Submission> submissions() {
        return Collections.unmodifiableList(new ArrayList<>(submissions));
    }

    private record Reply(int status, String body) {}

    private void handle(HttpExchange exchange) {
        Reply reply;
        try {
            reply = reply(exchange);
        } catch (RuntimeException | IOException e) {
            log.warn("simulator failed to answer a batch request", e);
            reply = new Reply(500, error(500, "simulator error: " + e.getMessage()).toString());
        }
        send(exchange, reply);
    }

    private Reply reply(HttpExchange exchange) throws IOException {
        if (config.requireKey() != null && !("Bearer " + config.requireKey()).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            return new Reply(401, error(401, "No auth credentials found or the API key is not valid (simulated)").toString());
        }
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        byte[] raw;
        try (InputStream in = exchange.getRequestBody()) {
            raw = in.readAllBytes();
        }
        if (path.matches(".*/files/?$") && method.equals("POST")) return uploadFile(exchange, raw);
        Matcher file = FILE_PATH.matcher(path);
        if (file.matches() && method.equals("GET")) {
            String content = files.get(file.group(1));
            return content == null ? notFound("file " + file.group(1)) : new Reply(200, content);
        }
        if (path.matches(".*/batches/?$") && method.equals("POST")) return create(JSON.readTree(raw));
        if (path.matches(".*/batches/?$") && method.equals("GET")) return list(exchange.getRequestURI().getRawQuery());
        Matcher m = BATCH_PATH.matcher(path);
        if (!m.matches()) return notFound("endpoint " + method + " " + path);
        Batch batch = batches.get(m.group(1));
        if (batch == null) return notFound("batch " + m.group(1));
        synchronized (batch) {
            if ("/cancel".equals(m.group(2)) && method.equals("POST")) {
                if (!batch.api.equals("openai")) return notFound("endpoint " + method + " " + path);
                batch.cancelRequested = true;
                if (!terminal(batch.status)) batch.status = "cancelling";
                return new Reply(200, view(batch).toString());
            }
            if ("/results".equals(m.group(2)) && method.equals("GET")) return page(batch, exchange.getRequestURI().getRawQuery());
            if (m.group(2) == null && method.equals("GET")) {
                advance(batch);
                return new Reply(200, view(batch).toString());
            }
        }
        return notFound("endpoint " + method + " " + path);
    }

    private Reply create(JsonNode body) {
        if (body == null || !body.isObject()) return new Reply(400, error(400, "the batch body is not a JSON object").toString());
        List<Line> lines = new ArrayList<>();
        String api;
        String model;
        if (body.has("input_file_id")) {
            api = "openai";
            String content = files.get(body.path("input_file_id").asText());
            if (content == null) return notFound("file " + body.path("input_file_id").asText());
            model = null;
            for (String jsonl : content.split("\n")) {
                if (jsonl.isBlank()) continue;
                JsonNode line = readLine(jsonl);
                if (line == null) return new Reply(400, error(400, "input file line is not JSON: " + jsonl).toString());
                if (model == null) model = line.path("body").path("model").asText("");
                lines.add(new Line(line.path("custom_id").asText(), line.path("body")));
            }
        } else {
            api = "openrouter";
            // OpenRouter stream-parses the body and refuses one whose requests come before endpoint and model
            List<String> order = new ArrayList<>();
            body.fieldNames().forEachRemaining(order::add);
            if (!order.contains("model") || !order.contains("endpoint") || !order.contains("requests")
                    || order.indexOf("requests") < Math.max(order.indexOf("model"), order.indexOf("endpoint"))) {
                return new Reply(400, error(400, "endpoint, model and requests are required, with endpoint and model before requests").toString());
            }
            model = body.path("model").asText();
            for (JsonNode r : body.path("requests")) lines.add(new Line(r.path("custom_id").asText(), r.path("body")));
        }
        if (lines.isEmpty()) return new Reply(400, error(400, "a batch needs at least one request").toString());
        JsonNode metadata = body.path("metadata").isObject() ? body.get("metadata") : null;
        Batch batch = new Batch("batch_sim_" + ids.incrementAndGet(), api, model, lines, metadata);
        batches.put(batch.id, batch);
        created.add(batch);
        Submission submission = new Submission(batch.id, api, model, lines.stream().map(Line::customId).toList());
        submissions.add(submission);
        logSubmission(submission);
        if (createFailuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return new Reply(500, error(500, "simulated failure after batch " + batch.id + " was created").toString());
        }
        synchronized (batch) {
            return new Reply(api.equals("openrouter") ? 202 : 200, view(batch).toString());
        }
    }

    /** One poll: the batch moves on after its turnaround and settles its lines' fates once. */
    private void advance(Batch batch) {
        if (terminal(batch.status)) return;
        batch.polls++;
        if (batch.cancelRequested) {
            finish(batch, "cancelled", batch.lines.size() / 2);
        } else if (batch.polls <= settings.turnaroundPolls()) {
            batch.status = "in_progress";
        } else if (batch.model.contains("batch-failed")) {
            batch.status = "failed";
        } else if (batch.model.contains("batch-expired")) {
            finish(batch, "expired", batch.lines.size() / 2);
        } else {
            finish(batch, "completed", batch.lines.size());
        }
    }

    private void finish(Batch batch, String status, int answered) {
        Settings s = settings;
        List<ObjectNode> results = new ArrayList<>();
        for (int i = 0; i < answered; i++) {
            Line line = batch.lines.get(i);
            double u = new SplittableRandom(config.seed() ^ Simulator.hash(batch.model + "\n" + line.customId())).nextDouble();
            if (u < s.missingRate()) continue;
            ObjectNode result = JSON.createObjectNode().put("id", "res_" + batch.id + "_" + i).put("custom_id", line.customId());
            if (u < s.missingRate() + s.lineFailureRate()) {
                result.putNull("response");
                result.set("error", error(502, "simulated failure of batch line " + line.customId()).get("error"));
            } else {
                result.set("response", answer(batch, line));
                result.putNull("error");
            }
            results.add(result);
        }
        batch.results = results;
        batch.status = status;
        if (batch.api.equals("openai")) {
            StringBuilder output = new StringBuilder();
            StringBuilder errors = new StringBuilder();
            for (ObjectNode r : results) {
                boolean ok = r.path("response").path("status_code").asInt(0) == 200;
                (ok ? output : errors).append(r).append('\n');
            }
            batch.outputFileId = output.isEmpty() ? null : storeFile(output.toString());
            batch.errorFileId = errors.isEmpty() ? null : storeFile(errors.toString());
        }
    }

    /** The line's response: the very completion a synchronous call of the same body would get. */
    private ObjectNode answer(Batch batch, Line line) {
        JsonNode body = line.body();
        String model = body.path("model").asText(batch.model);
        ObjectNode response = JSON.createObjectNode().put("request_id", "req_" + Long.toHexString(Simulator.hash(line.customId())));
        Matcher always = ALWAYS.matcher(model);
        if (always.find()) {
            int status = Integer.parseInt(always.group(1));
            response.put("status_code", status).set("body", error(status, "simulated failure " + status + " for " + model));
            return response;
        }
        JsonNode messages = body.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            response.put("status_code", 400).set("body", error(400, "the request needs a non-empty 'messages' array"));
            return response;
        }
        String text = messages.toString();
        String lastUser = Simulator.lastUser(messages);
        String completion;
        if (model.contains("always-empty") || body.path("max_completion_tokens").asInt(Integer.MAX_VALUE) < 16) {
            completion = Simulator.completion(model, text, "", "length");
        } else {
            completion = Simulator.completion(model, text, content(model, lastUser, text), "stop");
        }
        response.put("status_code", 200).set("body", readLine(completion));
        return response;
    }

    /** The same choice of answer {@link Simulator} makes for a synchronous call. */
    static String content(String model, String lastUser, String messages) {
        String role = Simulator.roleAnswer(model, lastUser);
        if (role != null) return role;
        return SimulatedAnswers.panel(model, lastUser, Simulator.hash(messages), Simulator.hash(model + "\n" + messages));
    }

    private ObjectNode view(Batch batch) {
        int completed = 0;
        int failed = 0;
        for (ObjectNode r : batch.results) {
            if (r.path("response").path("status_code").asInt(0) == 200) completed++;
            else failed++;
        }
        ObjectNode v = JSON.createObjectNode().put("id", batch.id).put("object", "batch").put("endpoint", "/v1/chat/completions");
        if (batch.api.equals("openai")) {
            v.put("input_file_id", "file_in_" + batch.id).put("completion_window", "24h").put("status", batch.status)
                    .put("output_file_id", batch.outputFileId).put("error_file_id", batch.errorFileId).put("created_at", batch.createdAt);
            if (batch.status.equals("failed")) {
                v.putObject("errors").put("object", "list").putArray("data").addObject().put("code", "batch_failed")
                        .put("message", "simulated failure of the whole batch");
            } else {
                v.putNull("errors");
            }
        } else {
            v.put("model", batch.model).put("completion_window", "24h").put("status", batch.status).put("created_at", batch.createdAt)
                    .put("provider", "fusion-simulator");
            if (batch.status.equals("failed")) v.putObject("error").put("message", "simulated failure of the whole batch");
            else v.putNull("error");
            ArrayNode inline = v.putArray("results");
            if (terminal(batch.status) && batch.results.size() <= settings.inlineResults()) batch.results.forEach(inline::add);
        }
        v.putObject("request_counts").put("total", batch.lines.size()).put("completed", completed).put("failed", failed);
        if (batch.metadata != null) v.set("metadata", batch.metadata);
        else v.putNull("metadata");
        return v;
    }

    /** {@code GET /batches?limit=1..100&after=id}: newest first, {@code results} left out as OpenRouter's list does; not a poll. */
    private Reply list(String rawQuery) {
        Map<String, String> query = query(rawQuery);
        int limit;
        try {
            limit = Integer.parseInt(query.getOrDefault("limit", "20"));
        } catch (NumberFormatException e) {
            return new Reply(400, error(400, "limit must be a number from 1 to 100").toString());
        }
        if (limit < 1 || limit > 100) return new Reply(400, error(400, "limit must be from 1 to 100").toString());
        List<Batch> newest = new ArrayList<>(created);
        Collections.reverse(newest);
        int from = 0;
        if (query.containsKey("after")) {
            from = -1;
            for (int i = 0; i < newest.size(); i++) if (newest.get(i).id.equals(query.get("after"))) from = i + 1;
            if (from < 0) return notFound("batch " + query.get("after"));
        }
        int to = Math.min(newest.size(), from + limit);
        ObjectNode page = JSON.createObjectNode().put("object", "list");
        ArrayNode data = page.putArray("data");
        for (Batch b : newest.subList(from, to)) {
            synchronized (b) {
                ObjectNode item = view(b);
                if (item.has("results")) item.putNull("results");
                data.add(item);
            }
        }
        if (data.isEmpty()) page.putNull("first_id").putNull("last_id");
        else page.put("first_id", data.get(0).path("id").asText()).put("last_id", data.get(data.size() - 1).path("id").asText());
        page.put("has_more", to < newest.size());
        return new Reply(200, page.toString());
    }

    private Reply page(Batch batch, String rawQuery) {
        if (!terminal(batch.status)) return new Reply(409, error(409, "batch " + batch.id + " is not finished").toString());
        Map<String, String> query = query(rawQuery);
        int limit = Math.max(1, Math.min(1000, Integer.parseInt(query.getOrDefault("limit", "100"))));
        int from = query.containsKey("cursor") ? Integer.parseInt(query.get("cursor").replace("c", "")) : 0;
        int to = Math.min(batch.results.size(), from + limit);
        ObjectNode page = JSON.createObjectNode().put("object", "list");
        ArrayNode data = page.putArray("data");
        batch.results.subList(Math.min(from, to), to).forEach(data::add);
        page.put("has_more", to < batch.results.size());
        if (to < batch.results.size()) page.put("next_cursor", "c" + to);
        else page.putNull("next_cursor");
        return new Reply(200, page.toString());
    }

    private Reply uploadFile(HttpExchange exchange, byte[] raw) {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        Matcher boundary = type == null ? null : Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(type);
        if (boundary == null || !boundary.find()) return new Reply(400, error(400, "upload the file as multipart/form-data").toString());
        String text = new String(raw, StandardCharsets.UTF_8);
        String content = null;
        String purpose = null;
        for (String part : text.split("--" + Pattern.quote(boundary.group(1)))) {
            int split = part.indexOf("\r\n\r\n");
            if (split < 0) continue;
            String headers = part.substring(0, split);
            String value = part.substring(split + 4);
            if (value.endsWith("\r\n")) value = value.substring(0, value.length() - 2);
            if (headers.contains("name=\"file\"")) content = value;
            if (headers.contains("name=\"purpose\"")) purpose = value.strip();
        }
        if (content == null || !"batch".equals(purpose)) return new Reply(400, error(400, "need a 'file' part and purpose=batch").toString());
        String id = storeFile(content);
        return new Reply(200, JSON.createObjectNode().put("id", id).put("object", "file").put("purpose", "batch")
                .put("bytes", content.getBytes(StandardCharsets.UTF_8).length).toString());
    }

    private String storeFile(String content) {
        String id = "file-sim-" + ids.incrementAndGet();
        files.put(id, content);
        return id;
    }

    private void logSubmission(Submission s) {
        if (config.requestLog() == null) return;
        String line = JSON.createObjectNode().put("batch", s.batchId()).put("api", s.api()).put("model", s.model())
                .put("requests", s.customIds().size()).put("ts", System.currentTimeMillis()).toString();
        // appended as one write, so it never interleaves with the chat calls' lines the simulator writes
        try (BufferedWriter out = Files.newBufferedWriter(config.requestLog(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            out.write(line + System.lineSeparator());
        } catch (IOException e) {
            log.warn("writing a batch submission to the simulator's request log failed", e);
        }
    }

    private static boolean terminal(String status) {
        return status.equals("completed") || status.equals("failed") || status.equals("expired") || status.equals("cancelled");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null) return q;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    private static JsonNode readLine(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return null;
        }
    }

    private static Reply notFound(String what) {
        return new Reply(404, error(404, "no such " + what + " (simulated)").toString());
    }

    private static ObjectNode error(int code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("code", code).put("message", message);
        return body;
    }

    private static void send(HttpExchange exchange, Reply reply) {
        Simulator.answer(exchange, reply.status(), reply.body().startsWith("{") ? "application/json" : "application/jsonl", null, reply.body());
    }
}
