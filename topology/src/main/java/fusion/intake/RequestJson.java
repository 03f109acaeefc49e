package fusion.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.schema.FusionRequest;
import fusion.schema.Message;
import fusion.schema.Reasoning;
import java.io.UncheckedIOException;
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
    private static final Set<String> PARAMETERS = Set.of("request_id", "id", "prompt", "messages", "analysis_models",
            "model", "final_model", "max_tool_calls", "max_completion_tokens", "reasoning", "temperature", "tools",
            "turn_id", "metadata", "preset");

    private RequestJson() {}

    public static FusionRequest parse(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (Exception e) {
            throw new RequestFieldException("(request)", "the request is not valid JSON; send one JSON object");
        }
        if (node == null || !node.isObject()) {
            throw new RequestFieldException("(request)", "the request is not a JSON object; send one JSON object");
        }
        return parse(node);
    }

    public static FusionRequest parse(JsonNode node) {
        List<Message> messages = messages(node);
        Map<String, String> metadata = metadata(node);
        return FusionRequest.newBuilder()
                .setRequestId(idOf(node))
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
                .setMetadata(metadata)
                .build();
    }

    /** The row's {@code request_id} or {@code id}, or else an id derived from its content. */
    public static String idOf(JsonNode node) {
        for (String field : List.of("request_id", "id")) {
            JsonNode v = node.get(field);
            if (v != null && (v.isTextual() || v.isIntegralNumber()) && !v.asText().isBlank()) return v.asText();
        }
        return deriveId(node);
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
        if (hasPrompt && hasMessages) {
            throw new RequestFieldException("prompt", "both prompt and messages are set; give one of them (prompt is one user message)");
        }
        List<Message> out = new ArrayList<>();
        if (hasPrompt) {
            if (!prompt.isTextual()) throw new RequestFieldException("prompt", "prompt must be a string");
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
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                throw new RequestFieldException(field, field + "[" + i + "] must be a model id string");
            }
            out.add(v.get(i).asText());
        }
        return out;
    }

    /** Tool names, or tool objects as OpenRouter writes them ({"type": "openrouter:web_search"}). */
    private static List<String> tools(JsonNode node) {
        JsonNode v = node.get("tools");
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
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
        if (!v.isTextual()) throw new RequestFieldException(name, name + " must be a string");
        return v.asText();
    }

    private static Integer integer(JsonNode node, String field) {
        return integer(node, field, field);
    }

    private static Integer integer(JsonNode node, String field, String name) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new RequestFieldException(name, name + " is " + v + "; it must be a whole number");
        }
        return v.asInt();
    }

    private static Double number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber()) throw new RequestFieldException(field, field + " is " + v + "; it must be a number");
        return v.asDouble();
    }
}
