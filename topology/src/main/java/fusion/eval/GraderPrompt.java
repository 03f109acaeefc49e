package fusion.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.model.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The grader's prompt, and what its answer comes to: a score from 0 to 1 of how much of the gold answer the graded
 * answer gets right. The grader sees one answer at a time and never which model wrote it, so it cannot favour the
 * fused answer.
 */
public final class GraderPrompt {
    /** The headings of the grader's user message; the simulator knows a grader prompt by them. */
    static final String GOLD = "# Gold answer";
    static final String ANSWER = "# Answer to grade";
    static final String QUESTION = "# Question";

    static final String INSTRUCTIONS = """
            You grade an answer against the gold (reference) answer to a question. Score how much of the gold \
            answer the graded answer gets right: 1 when it states everything the gold answer does, 0 when it \
            states none of it or contradicts it, and in between for partial coverage. Extra correct detail \
            neither adds nor subtracts; wording does not matter, substance does. Reply with only a JSON object: \
            {"score": <a number from 0 to 1>, "reason": "<one sentence>"}.""";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern OBJECT = Pattern.compile("\\{.*\\}", Pattern.DOTALL);
    private static final Pattern PLAIN = Pattern.compile("(?i)\\bscore\\b\\s*[:=]?\\s*(-?\\d+(?:\\.\\d+)?)\\s*(/\\s*(\\d+))?");

    private GraderPrompt() {}

    /** @param question the question when known (the dataset's), else null */
    public static List<ChatMessage> build(String question, String gold, String answer) {
        List<ChatMessage> out = new ArrayList<>();
        out.add(ChatMessage.system(INSTRUCTIONS));
        StringBuilder user = new StringBuilder();
        if (question != null && !question.isBlank()) user.append(QUESTION).append('\n').append(question.strip()).append("\n\n");
        user.append(GOLD).append('\n').append(gold.strip()).append("\n\n").append(ANSWER).append('\n').append(answer.strip()).append('\n');
        out.add(ChatMessage.user(user.toString()));
        return out;
    }

    /** A grade, or why the grader's answer gave none. */
    public record Grade(Double score, String reason, String failure) {
        public boolean graded() {
            return score != null;
        }

        public static Grade of(double score, String reason) {
            return new Grade(score, reason, null);
        }

        public static Grade failed(String failure) {
            return new Grade(null, null, failure);
        }
    }

    /**
     * The grader's answer read: a JSON object with {@code score} (in a code fence or among prose too), or else a plain
     * {@code Score: 0.8} (or {@code 4/5}). A score outside 0 to 1 is no grade: a grader that scores on another scale
     * would be misread.
     */
    public static Grade parse(String content) {
        if (content == null || content.isBlank()) return Grade.failed("grader_empty_completion");
        Matcher object = OBJECT.matcher(content);
        if (object.find()) {
            try {
                JsonNode node = JSON.readTree(object.group());
                JsonNode score = node.get("score");
                if (score != null && score.isNumber()) return inRange(score.asDouble(), node.path("reason").asText(null));
                if (score != null && score.isTextual()) return parsePlain("score: " + score.asText(), node.path("reason").asText(null));
            } catch (java.io.IOException e) {
                // not JSON after all: try the plain form
            }
        }
        return parsePlain(content, null);
    }

    private static Grade parsePlain(String content, String reason) {
        Matcher plain = PLAIN.matcher(content);
        if (!plain.find()) return Grade.failed("grader_no_score");
        double score = Double.parseDouble(plain.group(1));
        if (plain.group(3) != null) {
            double scale = Double.parseDouble(plain.group(3));
            if (scale <= 0) return Grade.failed("grader_no_score");
            score = score / scale;
        }
        return inRange(score, reason);
    }

    private static Grade inRange(double score, String reason) {
        if (Double.isNaN(score) || score < 0 || score > 1) {
            return Grade.failed(String.format(Locale.ROOT, "grader_score_out_of_range: %s", score));
        }
        return Grade.of(score, reason);
    }
}
