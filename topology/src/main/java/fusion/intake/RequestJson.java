package fusion.intake;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.schema.FusionRequest;
import fusion.schema.Message;
import fusion.schema.Reasoning;
import fusion.schema.SuppliedResponse;
import fusion.schema.TokenUsage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a FusionRequest from JSON with the spec's parameter names. Types are checked here; ranges
 * are the validator's job. A bare {@code prompt} is one user message. Top-level fields that are
 * not parameters (a dataset's other columns) go to {@code metadata}, so they come back with the result.
 */
public final class RequestJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Reads one JSON text strictly: a key given twice is an error, not "the last one wins". */
    private static final ObjectMapper STRICT = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> PARAMETERS = Set.of("request_id", "id", "prompt", "messages", "analysis_models",
            "model", "final_model", "max_tool_calls", "max_completion_tokens", "reasoning", "temperature", "tools",
            "turn_id", "metadata", "preset", "panel_responses", "quorum", "quorum_grace_ms");

    private RequestJson() {}

    /**
     * A JSON text read as one request object, or what is wrong with it.
     *
     * @param object  the JSON object, when one could be read, even with a problem (so that the row's own id can
     *                still name its error result); null when the text holds no object at all
     * @param problem null for a clean object; else what is wrong, phrased to follow the text's name
     *                ("questions.jsonl line 3 " + problem, "the record value " + problem)
     */
    public record ObjectText(ObjectNode object, String problem) {
        public boolean clean() {
            return problem == null;
        }
    }

    /**
     * Reads {@code length} bytes as strict UTF-8 holding exactly one JSON object: invalid UTF-8, a value that
     * is no object, a key given twice and anything after the object are each a problem.
     */
    public static ObjectText readObject(byte[] bytes, int offset, int length) {
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
        CharBuffer out = CharBuffer.allocate(length);
        CoderResult coded = strict.decode(in, out, true);
        if (coded.isError()) {
            int at = in.position() - offset;
            String problem = String.format("is not valid UTF-8: byte 0x%02X at byte offset %d (column %d) cannot start or continue "
                    + "a UTF-8 character; save the file or value as UTF-8 (a Latin-1 or Windows-1252 file shows this)",
                    bytes[in.position()] & 0xFF, at, out.position() + 1);
            // Read past the bad bytes only to find the row's own id for its error result.
            String lenient = new String(bytes, offset, length, StandardCharsets.UTF_8);
            ObjectNode object = null;
            try {
                JsonNode node = JSON.readTree(lenient);
                if (node != null && node.isObject()) object = (ObjectNode) node;
            } catch (JsonProcessingException e) {
                // no object: the error goes under the line's or record's place
            }
            return new ObjectText(object, problem);
        }
        strict.flush(out);
        return readObject(out.flip().toString());
    }

    /** {@link #readObject(byte[], int, int)} for text already decoded. */
    public static ObjectText readObject(String text) {
        JsonNode node;
        try (JsonParser parser = STRICT.createParser(text)) {
            node = STRICT.readTree(parser);
            if (node == null) return new ObjectText(null, "is empty; each line or record holds one request object");
            ObjectNode object = node.isObject() ? (ObjectNode) node : null;
            if (object == null) {
                return new ObjectText(null, "is a JSON " + kind(node) + ", not an object; each line or record holds one request "
                        + "object such as {\"prompt\": \"...\"}");
            }
            JsonToken after;
            try {
                after = parser.nextToken();
            } catch (JsonProcessingException e) {
                after = JsonToken.NOT_AVAILABLE;
            }
            if (after != null) {
                return new ObjectText(object, "has more after its JSON object (from column " + (parser.currentTokenLocation().getColumnNr())
                        + "); each line or record holds exactly one object; remove what follows the closing }");
            }
            return new ObjectText(object, null);
        } catch (JsonProcessingException e) {
            String message = e.getOriginalMessage();
            if (message != null && message.startsWith("Duplicate field")) {
                ObjectNode object = null;
                try {
                    JsonNode lenient = JSON.readTree(text);
                    if (lenient != null && lenient.isObject()) object = (ObjectNode) lenient;
                } catch (JsonProcessingException again) {
                    // no object
                }
                return new ObjectText(object, "gives a key twice (" + message + "); give each field once");
            }
            String nul = text.indexOf('\u0000') >= 0 ? " (it holds NUL bytes: a UTF-16 file? save it as UTF-8)" : "";
            String at = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
            return new ObjectText(null, "is not valid JSON: " + firstLine(message) + at + nul);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String kind(JsonNode node) {
        if (node.isArray()) return "array";
        if (node.isTextual()) return "string";
        if (node.isNumber()) return "number";
        if (node.isBoolean()) return "boolean";
        return "null";
    }

    /** Jackson's message without its parser internals (source descriptions, setting names). */
    private static String firstLine(String s) {
        if (s == null) return "malformed";
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.replaceAll(" \\(start marker at \\[Source: [^\\]]*; line: \\d+, column: (\\d+)\\]\\)", " (opened at column $1)")
                .replaceAll(", from `[^`]*`", "");
    }

    public static FusionRequest parse(String json) {
        ObjectText read = readObject(json);
        if (!read.clean()) throw new RequestFieldException("(request)", "the request " + read.problem());
        return parse(read.object());
    }

    public static FusionRequest parse(JsonNode node) {
        return parse(node, null);
    }

    /**
     * A request record's JSON value: with no {@code request_id} (or {@code id}) in the body it takes the record's
     * key as its id, the one its producer knows it by ({@code kcat -K'|'} of {@code kc-1|{"prompt": ...}} is
     * request kc-1); with neither, an id derived from the content. A body id that differs from the key stays
     * the body's, and intake rejects the record for it.
     *
     * @param key the record's key, or null
     */
    public static FusionRequest parse(JsonNode node, String key) {
        checkId(node);
        List<Message> messages = messages(node);
        Map<String, String> metadata = metadata(node);
        String own = ownId(node);
        return FusionRequest.newBuilder()
                .setRequestId(own != null ? own : key != null && !key.isBlank() ? key : deriveId(node))
                .setMessages(messages)
                .setAnalysisModels(strings(node, "analysis_models"))
                .setModel(text(node, "model"))
                .setFinalModel(text(node, "final_model"))
                .setMaxToolCalls(integer(node, "max_tool_calls"))
                .setMaxCompletionTokens(integer(node, "max_completion_tokens"))
                .setReasoning(reasoning(node))
                .setTemperature(number(node, "temperature"))
                .setTools(tools(node))
                .setTurnId(text(node, "turn_id"))
                .setPreset(text(node, "preset"))
                .setQuorum(integer(node, "quorum"))
                .setQuorumGraceMs(wholeMillis(node, "quorum_grace_ms"))
                .setMetadata(metadata)
                .setPanelResponses(panelResponses(node))
                .build();
    }

    /** The row's {@code request_id} or {@code id}, or else an id derived from its content. */
    public static String idOf(JsonNode node) {
        String own = ownId(node);
        return own != null ? own : deriveId(node);
    }

    /** The row's {@code request_id} or {@code id} (a string or a whole number that is not blank), or null. */
    public static String ownId(JsonNode node) {
        for (String field : List.of("request_id", "id")) {
            JsonNode v = node.get(field);
            if (v != null && (v.isTextual() || v.isIntegralNumber()) && !v.asText().isBlank()) return v.asText();
        }
        return null;
    }

    /** An id that is given but cannot be one is an error, not a reason to derive another silently. */
    private static void checkId(JsonNode node) {
        for (String field : List.of("request_id", "id")) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) continue;
            if (!v.isTextual() && !v.isIntegralNumber()) {
                throw new RequestFieldException(field, field + " is " + abbreviated(v) + "; it must be a string (or leave it out "
                        + "for an id derived from the row's content)");
            }
            if (v.asText().isBlank()) {
                throw new RequestFieldException(field, field + " is blank; give each request a unique id, or leave it out for an id "
                        + "derived from the row's content");
            }
        }
    }

    private static String abbreviated(JsonNode v) {
        String s = v.toString();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** The same row content always gives the same id, so resubmitting a dataset never runs a row twice. */
    public static String deriveId(JsonNode node) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(JSON.writeValueAsBytes(node));
            return "row-" + HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Message> messages(JsonNode node) {
        JsonNode prompt = node.get("prompt");
        JsonNode messages = node.get("messages");
        boolean hasPrompt = prompt != null && !prompt.isNull();
        boolean hasMessages = messages != null && !messages.isNull();
        if (prompt != null && prompt.isNull() && !hasMessages) {
            throw new RequestFieldException("prompt", "prompt is null; give the question as text (or give messages instead)");
        }
        if (hasPrompt && hasMessages) {
            throw new RequestFieldException("prompt", "both prompt and messages are set; give one of them (prompt is one user message)");
        }
        List<Message> out = new ArrayList<>();
        if (hasPrompt) {
            if (!prompt.isTextual()) throw new RequestFieldException("prompt", "prompt is " + abbreviated(prompt) + "; it must be a string");
            if (prompt.asText().isBlank()) throw new RequestFieldException("prompt", "prompt is empty; give the question as text");
            out.add(new Message("user", prompt.asText()));
            return out;
        }
        if (!hasMessages) return out;
        if (!messages.isArray()) {
            throw new RequestFieldException("messages", "messages must be an array of {\"role\": ..., \"content\": ...} objects");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) throw new RequestFieldException(at, at + " must be an object with role and content");
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) {
                throw new RequestFieldException(at + ".role", at + ".role must be a string: system, user or assistant");
            }
            out.add(new Message(role.asText(), content(m.get("content"), at + ".content")));
        }
        return out;
    }

    /** A string, or OpenAI's content parts of which only text parts are kept. */
    private static String content(JsonNode content, String at) {
        if (content == null || content.isNull()) {
            throw new RequestFieldException(at, at + " is missing; give the message text");
        }
        if (content.isTextual()) return content.asText();
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (part.isObject() && "text".equals(part.path("type").asText()) && part.path("text").isTextual()) {
                    if (text.length() > 0) text.append('\n');
                    text.append(part.get("text").asText());
                } else {
                    throw new RequestFieldException(at, at + " has a part that is not {\"type\": \"text\", \"text\": ...}; only text parts are supported");
                }
            }
            return text.toString();
        }
        throw new RequestFieldException(at, at + " must be a string or an array of text parts");
    }

    private static List<String> strings(JsonNode node, String field) {
        JsonNode v = node.get(field);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (!v.isArray()) throw new RequestFieldException(field, field + " must be an array of model ids, e.g. [\"openai/gpt-5\"]");
        if (v.isEmpty()) {
            throw new RequestFieldException(field, field + " is empty; list 1 to " + RequestValidator.MAX_PANEL
                    + " model ids, or leave the field out for the default panel");
        }
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                throw new RequestFieldException(field, field + "[" + i + "] must be a model id string");
            }
            out.add(v.get(i).asText());
        }
        return out;
    }

    /**
     * Answers the panel already gave, {@code [{"model", "content", "usage"?}]}: a judge-only request. Usage, when given,
     * is what the answer cost when it was made ({@code prompt_tokens}, {@code completion_tokens}, {@code reasoning_tokens},
     * {@code cost}).
     */
    private static List<SuppliedResponse> panelResponses(JsonNode node) {
        JsonNode v = node.get("panel_responses");
        List<SuppliedResponse> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (!v.isArray()) {
            throw new RequestFieldException("panel_responses", "panel_responses must be an array of {\"model\": ..., \"content\": ...} objects");
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode r = v.get(i);
            String at = "panel_responses[" + i + "]";
            if (!r.isObject()) throw new RequestFieldException(at, at + " must be an object with model and content");
            String model = text(r, "model", at + ".model");
            if (model == null) throw new RequestFieldException(at + ".model", at + ".model is missing; name the model that gave the answer");
            String content = text(r, "content", at + ".content");
            if (content == null) throw new RequestFieldException(at + ".content", at + ".content is missing; give the model's answer as text");
            out.add(new SuppliedResponse(model, content, usage(r.get("usage"), at + ".usage")));
        }
        return out;
    }

    private static TokenUsage usage(JsonNode u, String at) {
        if (u == null || u.isNull()) return null;
        if (!u.isObject()) throw new RequestFieldException(at, at + " must be an object like {\"prompt_tokens\": 120, \"completion_tokens\": 300, \"cost\": 0.002}");
        long[] counts = new long[3];
        List<String> names = List.of("prompt_tokens", "completion_tokens", "reasoning_tokens");
        for (int k = 0; k < names.size(); k++) {
            Integer n = integer(u, names.get(k), at + "." + names.get(k));
            if (n != null && n < 0) throw new RequestFieldException(at + "." + names.get(k), at + "." + names.get(k) + " is " + n + "; it must be 0 or more");
            counts[k] = n == null ? 0 : n;
        }
        JsonNode cost = u.get("cost");
        if (cost != null && !cost.isNull() && (!cost.isNumber() || cost.asDouble() < 0)) {
            throw new RequestFieldException(at + ".cost", at + ".cost is " + abbreviated(cost) + "; it must be a number of USD, 0 or more");
        }
        return new TokenUsage(counts[0], counts[1], counts[2], cost == null || cost.isNull() ? null : cost.asDouble(), 0L, null);
    }

    /**
     * Tool names, or tool objects as OpenRouter writes them ({"type": "openrouter:web_search"}); null when the request
     * names none (the run's default applies), as distinct from {@code []} (no tools).
     */
    private static List<String> tools(JsonNode node) {
        JsonNode v = node.get("tools");
        if (v == null || v.isNull()) return null;
        List<String> out = new ArrayList<>();
        if (!v.isArray()) throw new RequestFieldException("tools", "tools must be an array, e.g. [\"web_search\", \"web_fetch\"]");
        for (int i = 0; i < v.size(); i++) {
            JsonNode t = v.get(i);
            String name = t.isTextual() ? t.asText() : t.isObject() && t.path("type").isTextual() ? t.get("type").asText() : null;
            if (name == null) {
                throw new RequestFieldException("tools", "tools[" + i + "] must be a tool name or {\"type\": name}");
            }
            out.add(name.startsWith("openrouter:") ? name.substring("openrouter:".length()) : name);
        }
        return out;
    }

    private static Reasoning reasoning(JsonNode node) {
        JsonNode v = node.get("reasoning");
        if (v == null || v.isNull()) return null;
        if (!v.isObject()) {
            throw new RequestFieldException("reasoning", "reasoning must be an object like {\"effort\": \"high\", \"max_tokens\": 2000}");
        }
        return new Reasoning(text(v, "effort", "reasoning.effort"), integer(v, "max_tokens", "reasoning.max_tokens"));
    }

    private static Map<String, String> metadata(JsonNode node) {
        Map<String, String> out = new HashMap<>();
        JsonNode v = node.get("metadata");
        if (v != null && !v.isNull()) {
            if (!v.isObject()) throw new RequestFieldException("metadata", "metadata must be an object of string values");
            v.fields().forEachRemaining(e -> out.put(e.getKey(), scalar(e.getValue())));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!PARAMETERS.contains(e.getKey())) out.putIfAbsent(e.getKey(), scalar(e.getValue()));
        }
        return out;
    }

    private static String scalar(JsonNode v) {
        return v.isValueNode() ? v.asText() : v.toString();
    }

    private static String text(JsonNode node, String field) {
        return text(node, field, field);
    }

    private static String text(JsonNode node, String field, String name) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw new RequestFieldException(name, name + " is " + abbreviated(v) + "; it must be a string");
        return v.asText();
    }

    private static Integer integer(JsonNode node, String field) {
        return integer(node, field, field);
    }

    private static Integer integer(JsonNode node, String field, String name) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber()) throw new RequestFieldException(name, name + " is " + abbreviated(v) + "; it must be a whole number");
        // 1e3 is a whole number written as a float; 1e12 is one too, but out of range, which is what to say
        boolean whole = v.isIntegralNumber() || (Double.isFinite(v.doubleValue()) && v.doubleValue() == Math.rint(v.doubleValue()));
        if (!whole) throw new RequestFieldException(name, name + " is " + v + "; it must be a whole number");
        if (!v.isIntegralNumber() ? Math.abs(v.doubleValue()) > Integer.MAX_VALUE : !v.canConvertToInt()) {
            throw new RequestFieldException(name, name + " is " + v + ", out of range; a whole number here is at most " + Integer.MAX_VALUE);
        }
        return v.isIntegralNumber() ? v.asInt() : (int) v.doubleValue();
    }

    private static Long wholeMillis(JsonNode node, String field) {
        Integer v = integer(node, field);
        return v == null ? null : v.longValue();
    }

    private static Double number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber()) throw new RequestFieldException(field, field + " is " + abbreviated(v) + "; it must be a number");
        return v.asDouble();
    }
}
