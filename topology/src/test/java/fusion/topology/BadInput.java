package fusion.topology;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bad-input catalogue (docs/RELIABILITY.md, "Bad input"): every kind of bad row or record and what it
 * must come to. The file tests and the topic tests read the same kinds of bad fields, so a field the
 * one catches the other does too.
 */
public final class BadInput {
    private BadInput() {}

    /** What a row or record must come to. */
    public enum Outcome {
        /** an ok result */
        OK,
        /** no result of its own: skipped (a blank line) or the same as an earlier one (sent once) */
        NONE,
        INVALID_REQUEST,
        DUPLICATE_REQUEST_ID,
        FUSION_INVOCATION_CAPPED,
        /** the dead-letter topic, with the reason in a header */
        DEAD_LETTER;

        public String failureReason() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One kind of bad input.
     *
     * @param bytes   the line (without its line ending) or the record's value
     * @param id      the id its result goes under; for a dataset line, "line-N" is written as "line-?" and filled in
     * @param message what its error or dead-letter reason must say
     */
    public record Kind(String name, byte[] bytes, String id, Outcome outcome, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Kind kind(String name, String json, String id, Outcome outcome, String message) {
        return new Kind(name, json.getBytes(StandardCharsets.UTF_8), id, outcome, message);
    }

    static Kind kind(String name, byte[] bytes, String id, Outcome outcome, String message) {
        return new Kind(name, bytes, id, outcome, message);
    }

    /** Bytes of UTF-8 text with raw bytes spliced in where the text has {@code %s}. */
    static byte[] withBytes(String text, byte... raw) {
        String[] parts = text.split("%s", -1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < parts.length; i++) {
            out.writeBytes(parts[i].getBytes(StandardCharsets.UTF_8));
            if (i < parts.length - 1) out.writeBytes(raw);
        }
        return out.toByteArray();
    }

    /** A good request's fields after {@code {"request_id": id,}}, with the simulator's models. */
    static String good(String id, String more) {
        return "{\"request_id\":\"" + id + "\",\"prompt\":\"Compare A and B (" + id + ")\",\"analysis_models\":[\"sim/alpha\"],"
                + "\"model\":\"sim/judge\"" + (more.isEmpty() ? "" : "," + more) + "}";
    }

    static String nested(int depth) {
        return "{\"request_id\":\"deep\",\"prompt\":\"q\",\"metadata\":{\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "}}";
    }

    /** A good row whose prompt makes it {@code bytes} long. */
    static String large(String id, int bytes) {
        return good(id, "\"padding\":\"" + "x".repeat(bytes) + "\"");
    }

    /**
     * Every field of a request, given as JSON with the wrong type or out of range: an invalid_request result
     * under the row's id that names the field. The same for a dataset line and a JSON record.
     */
    public static List<Kind> badFields() {
        List<Kind> k = new ArrayList<>();
        Outcome bad = Outcome.INVALID_REQUEST;
        k.add(kind("prompt is a number", "{\"id\":\"f-prompt-type\",\"prompt\":42}", "f-prompt-type", bad, "prompt is 42; it must be a string"));
        k.add(kind("prompt is null", "{\"id\":\"f-prompt-null\",\"prompt\":null}", "f-prompt-null", bad, "prompt is null"));
        k.add(kind("prompt is empty", "{\"id\":\"f-prompt-empty\",\"prompt\":\"\"}", "f-prompt-empty", bad, "prompt is empty"));
        k.add(kind("prompt and messages both", "{\"id\":\"f-both\",\"prompt\":\"q\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}",
                "f-both", bad, "both prompt and messages are set"));
        k.add(kind("no prompt, no messages", "{\"id\":\"f-nothing\",\"topic\":\"x\"}", "f-nothing", bad, "messages is empty"));
        k.add(kind("messages is a string", "{\"id\":\"f-msg-type\",\"messages\":\"hi\"}", "f-msg-type", bad, "messages must be an array"));
        k.add(kind("messages is empty", "{\"id\":\"f-msg-empty\",\"messages\":[]}", "f-msg-empty", bad, "messages is empty"));
        k.add(kind("a message is no object", "{\"id\":\"f-msg-item\",\"messages\":[\"hi\"]}", "f-msg-item", bad, "messages[0] must be an object"));
        k.add(kind("a message's role is unknown", "{\"id\":\"f-role\",\"messages\":[{\"role\":\"wizard\",\"content\":\"q\"}]}",
                "f-role", bad, "messages[0].role is 'wizard'"));
        k.add(kind("a message's role is a number", "{\"id\":\"f-role-type\",\"messages\":[{\"role\":1,\"content\":\"q\"}]}",
                "f-role-type", bad, "messages[0].role must be a string"));
        k.add(kind("a message has no content", "{\"id\":\"f-content\",\"messages\":[{\"role\":\"user\"}]}", "f-content", bad,
                "messages[0].content is missing"));
        k.add(kind("a message's content is a number", "{\"id\":\"f-content-type\",\"messages\":[{\"role\":\"user\",\"content\":7}]}",
                "f-content-type", bad, "messages[0].content must be a string"));
        k.add(kind("no user message", "{\"id\":\"f-no-user\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"}]}",
                "f-no-user", bad, "no user message"));
        k.add(kind("analysis_models is a string", "{\"id\":\"f-panel-type\",\"prompt\":\"q\",\"analysis_models\":\"sim/alpha\"}",
                "f-panel-type", bad, "analysis_models must be an array"));
        k.add(kind("analysis_models is empty", "{\"id\":\"f-panel-empty\",\"prompt\":\"q\",\"analysis_models\":[]}", "f-panel-empty", bad,
                "analysis_models is empty; list 1 to 8 model ids, or leave the field out for the default panel"));
        k.add(kind("analysis_models has 9 models", "{\"id\":\"f-panel-9\",\"prompt\":\"q\",\"analysis_models\":"
                + "[\"m1\",\"m2\",\"m3\",\"m4\",\"m5\",\"m6\",\"m7\",\"m8\",\"m9\"]}", "f-panel-9", bad, "analysis_models has 9 models"));
        k.add(kind("analysis_models lists a number", "{\"id\":\"f-panel-item\",\"prompt\":\"q\",\"analysis_models\":[5]}", "f-panel-item", bad,
                "analysis_models[0] must be a model id string"));
        k.add(kind("analysis_models lists a model twice", "{\"id\":\"f-panel-twice\",\"prompt\":\"q\",\"analysis_models\":[\"a/x\",\"a/x\"]}",
                "f-panel-twice", bad, "lists 'a/x' twice"));
        k.add(kind("analysis_models lists a blank id", "{\"id\":\"f-panel-blank\",\"prompt\":\"q\",\"analysis_models\":[\" \"]}",
                "f-panel-blank", bad, "analysis_models[0] is blank"));
        k.add(kind("model is a number", "{\"id\":\"f-model-type\",\"prompt\":\"q\",\"model\":5}", "f-model-type", bad, "model is 5; it must be a string"));
        k.add(kind("model is blank", "{\"id\":\"f-model-blank\",\"prompt\":\"q\",\"model\":\" \"}", "f-model-blank", bad, "model (the judge) is blank"));
        k.add(kind("final_model is an object", "{\"id\":\"f-final-type\",\"prompt\":\"q\",\"final_model\":{}}", "f-final-type", bad,
                "final_model is {}; it must be a string"));
        k.add(kind("final_model is blank", "{\"id\":\"f-final-blank\",\"prompt\":\"q\",\"final_model\":\"\"}", "f-final-blank", bad,
                "final_model is blank"));
        k.add(kind("max_tool_calls is text", "{\"id\":\"f-tools-n-type\",\"prompt\":\"q\",\"max_tool_calls\":\"3\"}", "f-tools-n-type", bad,
                "max_tool_calls is \"3\"; it must be a whole number"));
        k.add(kind("max_tool_calls is 17", "{\"id\":\"f-tools-n-range\",\"prompt\":\"q\",\"max_tool_calls\":17}", "f-tools-n-range", bad,
                "max_tool_calls is 17; it must be between 1 and 16"));
        k.add(kind("max_tool_calls is 2.5", "{\"id\":\"f-tools-n-frac\",\"prompt\":\"q\",\"max_tool_calls\":2.5}", "f-tools-n-frac", bad,
                "max_tool_calls is 2.5; it must be a whole number"));
        k.add(kind("max_completion_tokens is 1e12", "{\"id\":\"f-mct-1e12\",\"prompt\":\"q\",\"max_completion_tokens\":1e12}", "f-mct-1e12", bad,
                "max_completion_tokens is 1.0E12, out of range"));
        k.add(kind("max_completion_tokens is 99999999999", "{\"id\":\"f-mct-long\",\"prompt\":\"q\",\"max_completion_tokens\":99999999999}",
                "f-mct-long", bad, "max_completion_tokens is 99999999999, out of range"));
        k.add(kind("max_completion_tokens is 0", "{\"id\":\"f-mct-0\",\"prompt\":\"q\",\"max_completion_tokens\":0}", "f-mct-0", bad,
                "max_completion_tokens is 0; it must be at least 1"));
        k.add(kind("max_completion_tokens is a list", "{\"id\":\"f-mct-type\",\"prompt\":\"q\",\"max_completion_tokens\":[1]}", "f-mct-type", bad,
                "max_completion_tokens is [1]; it must be a whole number"));
        k.add(kind("reasoning is a string", "{\"id\":\"f-reason-type\",\"prompt\":\"q\",\"reasoning\":\"high\"}", "f-reason-type", bad,
                "reasoning must be an object"));
        k.add(kind("reasoning.effort is unknown", "{\"id\":\"f-effort\",\"prompt\":\"q\",\"reasoning\":{\"effort\":\"extreme\"}}", "f-effort", bad,
                "reasoning.effort is 'extreme'"));
        k.add(kind("reasoning.max_tokens is 0", "{\"id\":\"f-reason-max\",\"prompt\":\"q\",\"reasoning\":{\"max_tokens\":0}}", "f-reason-max", bad,
                "reasoning.max_tokens is 0; it must be at least 1"));
        k.add(kind("temperature is text", "{\"id\":\"f-temp-type\",\"prompt\":\"q\",\"temperature\":\"hot\"}", "f-temp-type", bad,
                "temperature is \"hot\"; it must be a number"));
        k.add(kind("temperature is 3", "{\"id\":\"f-temp-3\",\"prompt\":\"q\",\"temperature\":3}", "f-temp-3", bad,
                "temperature is 3.0; it must be between 0 and 2"));
        k.add(kind("temperature is -1", "{\"id\":\"f-temp-neg\",\"prompt\":\"q\",\"temperature\":-1}", "f-temp-neg", bad,
                "temperature is -1.0; it must be between 0 and 2"));
        k.add(kind("tools is a string", "{\"id\":\"f-tools-type\",\"prompt\":\"q\",\"tools\":\"web_search\"}", "f-tools-type", bad,
                "tools must be an array"));
        k.add(kind("tools lists an unknown tool", "{\"id\":\"f-tools-unknown\",\"prompt\":\"q\",\"tools\":[\"code_interpreter\"]}",
                "f-tools-unknown", bad, "tools lists 'code_interpreter'"));
        k.add(kind("tools lists a number", "{\"id\":\"f-tools-item\",\"prompt\":\"q\",\"tools\":[3]}", "f-tools-item", bad,
                "tools[0] must be a tool name"));
        k.add(kind("turn_id is a number", "{\"id\":\"f-turn-type\",\"prompt\":\"q\",\"turn_id\":7}", "f-turn-type", bad,
                "turn_id is 7; it must be a string"));
        k.add(kind("turn_id is blank", "{\"id\":\"f-turn-blank\",\"prompt\":\"q\",\"turn_id\":\" \"}", "f-turn-blank", bad, "turn_id is blank"));
        k.add(kind("metadata is a list", "{\"id\":\"f-meta-type\",\"prompt\":\"q\",\"metadata\":[1]}", "f-meta-type", bad,
                "metadata must be an object"));
        k.add(kind("preset is unknown", "{\"id\":\"f-preset\",\"prompt\":\"q\",\"preset\":\"turbo\"}", "f-preset", bad, "preset is 'turbo'"));
        k.add(kind("preset is a number", "{\"id\":\"f-preset-type\",\"prompt\":\"q\",\"preset\":1}", "f-preset-type", bad,
                "preset is 1; it must be a string"));
        k.add(kind("request_id is a boolean", "{\"request_id\":true,\"prompt\":\"q\"}", "derived", bad, "request_id is true; it must be a string"));
        k.add(kind("request_id is blank", "{\"request_id\":\" \",\"prompt\":\"q\"}", "derived", bad, "request_id is blank"));
        return k;
    }

    /** Lines of one JSONL file: every kind a dataset line can be, in file order. The first line starts with a BOM. */
    public static List<Kind> fileLines() {
        List<Kind> k = new ArrayList<>();
        Outcome bad = Outcome.INVALID_REQUEST;
        k.add(kind("byte-order mark before the first row", withBytes("%s" + good("bom-first", ""), (byte) 0xEF, (byte) 0xBB, (byte) 0xBF),
                "bom-first", Outcome.OK, null));
        k.add(kind("a good row", good("good-1", ""), "good-1", Outcome.OK, null));
        k.add(kind("a CRLF line ending", good("crlf", "") + "\r", "crlf", Outcome.OK, null));
        k.add(kind("an empty line", "", null, Outcome.NONE, null));
        k.add(kind("a line of spaces", "   \t ", null, Outcome.NONE, null));
        k.add(kind("Latin-1 byte in a row with an id", withBytes("{\"id\":\"latin1\",\"prompt\":\"caf%s au lait\"}", (byte) 0xE9),
                "latin1", bad, "is not valid UTF-8: byte 0xE9 at byte offset 28 (column 29)"));
        k.add(kind("invalid UTF-8 with no readable id", withBytes("%s{\"prompt\":\"q\"", (byte) 0xFF, (byte) 0xFE), "line-?", bad,
                "is not valid UTF-8: byte 0xFF at byte offset 0"));
        k.add(kind("a UTF-8 sequence cut short", withBytes("{\"id\":\"cut\",\"prompt\":\"q%s\"}", (byte) 0xE2, (byte) 0x82), "cut", bad,
                "is not valid UTF-8: byte 0xE2"));
        k.add(kind("an overlong UTF-8 encoding", withBytes("{\"id\":\"overlong\",\"prompt\":\"%s\"}", (byte) 0xC0, (byte) 0xAF), "overlong", bad,
                "is not valid UTF-8: byte 0xC0"));
        k.add(kind("trailing garbage after the object", good("trailing", "") + " garbage", "trailing", bad,
                "has more after its JSON object"));
        k.add(kind("two objects on one line", good("two-objects", "") + "{\"prompt\":\"second\"}", "two-objects", bad,
                "has more after its JSON object"));
        k.add(kind("not JSON at all", "prompt: why is the sky blue?", "line-?", bad, "is not valid JSON"));
        k.add(kind("a JSON object cut short", "{\"id\":\"cut-json\",\"prompt\":\"q\"", "line-?", bad, "is not valid JSON"));
        k.add(kind("a JSON array", "[{\"prompt\":\"q\"}]", "line-?", bad, "is a JSON array, not an object"));
        k.add(kind("a JSON string", "\"why is the sky blue?\"", "line-?", bad, "is a JSON string, not an object"));
        k.add(kind("a JSON number", "42", "line-?", bad, "is a JSON number, not an object"));
        k.add(kind("JSON null", "null", "line-?", bad, "is a JSON null, not an object"));
        k.add(kind("NUL bytes in the line", withBytes("{\"id\":\"nul\",\"prompt\":\"a%sb\"}", (byte) 0), "line-?", bad,
                "NUL bytes"));
        k.add(kind("JSON nested 5000 deep", nested(5000), "line-?", bad, "nesting depth"));
        k.add(kind("a key given twice", "{\"id\":\"dup-key\",\"prompt\":\"one\",\"prompt\":\"two\"}", "dup-key", bad,
                "gives a key twice (Duplicate field 'prompt')"));
        k.add(kind("a 3 MB row", large("huge", 3 * 1024 * 1024), "huge", bad, "over the limit of 1,048,576 bytes; shorten it, or raise fusion.max-request-bytes"));
        k.add(kind("an id repeated with other content", good("good-1", "\"topic\":\"other\""), "good-1~dup-line-?", Outcome.DUPLICATE_REQUEST_ID,
                "repeats request id 'good-1' of line 2 with other content"));
        k.add(kind("an id repeated with the same content", good("good-1", ""), "good-1", Outcome.NONE, null));
        k.add(kind("the first row of a turn", good("turn-first", "\"turn_id\":\"turn-7\""), "turn-first", Outcome.OK, null));
        k.add(kind("a second row in that turn", good("turn-second", "\"turn_id\":\"turn-7\""), "turn-second", Outcome.FUSION_INVOCATION_CAPPED,
                "fusion was already invoked in turn 'turn-7' (request 'turn-first')"));
        k.addAll(badFields());
        k.add(kind("a good row after all of them", good("good-last", ""), "good-last", Outcome.OK, null));
        return k;
    }

    /** The file of {@link #fileLines()}, lines joined by \n (the CRLF kind carries its own \r). */
    public static byte[] file(List<Kind> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Kind line : lines) {
            out.writeBytes(line.bytes());
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** The id a kind's result goes under, at 1-based {@code line} of a file. */
    public static String idAt(Kind kind, int line) {
        return kind.id() == null ? null : kind.id().replace("line-?", "line-" + line);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
