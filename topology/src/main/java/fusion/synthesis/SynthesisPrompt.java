package fusion.synthesis;

import fusion.judge.ModelAnswer;
import fusion.model.ChatMessage;
import fusion.schema.Analysis;
import fusion.schema.FusionRequest;
import fusion.schema.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * The outer model's prompt, as the openrouter/fusion alias runs it: the conversation as asked,
 * then the analysis and the panel's answers, so the final answer weighs consensus over majority.
 */
public final class SynthesisPrompt {
    static final String INSTRUCTIONS = """
            You write the final answer to the user's last message. A panel of models answered it \
            independently and an analyst compared their answers. Build on the consensus, resolve or \
            explain the contradictions, keep valuable unique insights, and address the blind spots \
            where you can. Do not mention the panel, the analyst or the responses; answer the user directly.""";

    private SynthesisPrompt() {}

    /** @param analysis the judge's analysis, or null when the judge failed */
    public static List<ChatMessage> build(FusionRequest request, Analysis analysis, List<ModelAnswer> answers) {
        List<ChatMessage> out = new ArrayList<>();
        out.add(ChatMessage.system(INSTRUCTIONS));
        List<Message> conversation = request.getMessages();
        for (int i = 0; i < conversation.size() - 1; i++) {
            out.add(new ChatMessage(conversation.get(i).getRole(), conversation.get(i).getContent()));
        }
        StringBuilder last = new StringBuilder("# Question\n")
                .append(conversation.get(conversation.size() - 1).getContent().strip())
                .append("\n\n# Analysis\n")
                .append(analysis == null ? "(no analysis: the analyst failed; rely on the responses below)" : render(analysis))
                .append("\n\n# Panel responses\n");
        for (ModelAnswer a : answers) {
            last.append("\n## ").append(a.model()).append('\n').append(a.content().strip()).append('\n');
        }
        out.add(ChatMessage.user(last.toString()));
        return out;
    }

    private static String render(Analysis a) {
        StringBuilder s = new StringBuilder();
        section(s, "Consensus", a.getConsensus());
        List<String> contradictions = new ArrayList<>();
        a.getContradictions().forEach(c -> {
            StringBuilder line = new StringBuilder(c.getTopic()).append(":");
            c.getStances().forEach(st -> line.append(" ").append(st.getModel()).append(" — ").append(st.getStance()).append(";"));
            contradictions.add(line.toString());
        });
        section(s, "Contradictions", contradictions);
        section(s, "Partial coverage", a.getPartialCoverage().stream()
                .map(p -> p.getPoint() + " (" + String.join(", ", p.getModels()) + ")").toList());
        section(s, "Unique insights", a.getUniqueInsights().stream()
                .map(u -> u.getInsight() + " (" + u.getModel() + ")").toList());
        section(s, "Blind spots", a.getBlindSpots());
        return s.toString().strip();
    }

    private static void section(StringBuilder s, String title, List<String> items) {
        if (items.isEmpty()) return;
        s.append("\n## ").append(title).append('\n');
        items.forEach(i -> s.append("- ").append(i).append('\n'));
    }
}
