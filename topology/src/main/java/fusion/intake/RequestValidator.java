package fusion.intake;

import fusion.schema.FusionRequest;
import fusion.schema.Message;
import fusion.schema.SuppliedResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a readable request against the spec's ranges and fills in the configured defaults. The
 * first problem found is reported, naming the field and what it must be.
 */
public final class RequestValidator {
    public static final int MAX_PANEL = 8;
    public static final Set<String> TOOLS = Set.of("web_search", "web_fetch");
    public static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");
    public static final Set<String> EFFORTS = Set.of("none", "minimal", "low", "medium", "high", "xhigh");
    /**
     * The metadata key under which a connector or SMT that read a row with no request in it (no prompt, a cell of the
     * wrong type) says why: such a request is answered invalid_request with that message, through the pipeline's
     * normal path, instead of being dropped where it was read.
     */
    public static final String ROW_PROBLEM = "fusion.row_problem";

    private final FusionDefaults defaults;
    private final QuorumDefaults quorum;

    public RequestValidator(FusionDefaults defaults) {
        this(defaults, QuorumDefaults.none());
    }

    public RequestValidator(FusionDefaults defaults, QuorumDefaults quorum) {
        this.defaults = defaults;
        this.quorum = quorum;
    }

    /** What requests leave out is filled from these; their size limit is read from here too. */
    public FusionDefaults defaults() {
        return defaults;
    }

    /** Either a request ready to run (defaults filled in) or the reason it cannot run. */
    public record Verdict(FusionRequest request, String errorMessage) {
        public boolean valid() {
            return errorMessage == null;
        }

        static Verdict ok(FusionRequest request) {
            return new Verdict(request, null);
        }

        static Verdict invalid(String message) {
            return new Verdict(null, message);
        }
    }

    public Verdict validate(FusionRequest given) {
        FusionRequest r = FusionRequest.newBuilder(given).build();
        Preset preset = null;
        if (r.getPreset() != null) {
            preset = defaults.presets().get(r.getPreset());
            if (preset == null) {
                return Verdict.invalid("preset is '" + r.getPreset() + "'; it must be one of " + defaults.presets().keySet().stream().sorted().toList()
                        + ", or left out for the default panel (fusion.panel.default-models)");
            }
        }
        // a judge-only request's panel is the models that answered, not a preset's
        if (r.getAnalysisModels().isEmpty() && !r.getPanelResponses().isEmpty()) {
            r.setAnalysisModels(new ArrayList<>(r.getPanelResponses().stream().map(SuppliedResponse::getModel).toList()));
        }
        if (r.getAnalysisModels().isEmpty()) r.setAnalysisModels(new ArrayList<>(preset != null ? preset.panelModels() : defaults.panelModels()));
        if (r.getModel() == null) r.setModel(preset != null ? preset.judgeModel() : defaults.judgeModel());
        if (r.getMaxToolCalls() == null) r.setMaxToolCalls(defaults.maxToolCalls());
        if (r.getTools() == null) r.setTools(new ArrayList<>(defaults.tools()));
        int panelSize = r.getAnalysisModels().size();
        if (r.getQuorum() == null && quorum.quorum() != null && panelSize > 0) r.setQuorum(Math.min(quorum.quorum(), panelSize));
        if (r.getQuorum() != null && r.getQuorumGraceMs() == null) r.setQuorumGraceMs(quorum.graceMs());
        String problem = problem(r);
        return problem == null ? Verdict.ok(r) : Verdict.invalid(problem);
    }

    private static String problem(FusionRequest r) {
        if (r.getRequestId() == null || r.getRequestId().isBlank()) {
            return "request_id is empty; give each request a unique id";
        }
        String row = r.getMetadata().get(ROW_PROBLEM);
        if (row != null) return row;
        String messages = messages(r.getMessages());
        if (messages != null) return messages;
        String panel = panel(r.getAnalysisModels());
        if (panel != null) return panel;
        String supplied = supplied(r);
        if (supplied != null) return supplied;
        if (r.getModel().isBlank()) return "model (the judge) is blank; name a model id or leave it out for the default";
        if (r.getFinalModel() != null && r.getFinalModel().isBlank()) {
            return "final_model is blank; name a model id or leave it out to skip synthesis";
        }
        if (r.getMaxToolCalls() < 1 || r.getMaxToolCalls() > 16) {
            return "max_tool_calls is " + r.getMaxToolCalls() + "; it must be between 1 and 16";
        }
        if (r.getMaxCompletionTokens() != null && r.getMaxCompletionTokens() < 1) {
            return "max_completion_tokens is " + r.getMaxCompletionTokens() + "; it must be at least 1, or left out for the provider default";
        }
        Double t = r.getTemperature();
        if (t != null && (t.isNaN() || t < 0 || t > 2)) {
            return "temperature is " + t + "; it must be between 0 and 2";
        }
        if (r.getReasoning() != null) {
            String effort = r.getReasoning().getEffort();
            if (effort != null && !EFFORTS.contains(effort)) {
                return "reasoning.effort is '" + effort + "'; it must be one of " + sorted(EFFORTS);
            }
            Integer max = r.getReasoning().getMaxTokens();
            if (max != null && max < 1) return "reasoning.max_tokens is " + max + "; it must be at least 1";
        }
        for (String tool : r.getTools()) {
            if (!TOOLS.contains(tool)) {
                return "tools lists '" + tool + "'; the tools a panel may use are " + sorted(TOOLS) + " (or none)";
            }
        }
        if (r.getTurnId() != null && r.getTurnId().isBlank()) return "turn_id is blank; give the turn's id or leave it out";
        Integer q = r.getQuorum();
        if (q != null && (q < 1 || q > r.getAnalysisModels().size())) {
            return "quorum is " + q + "; it must be between 1 and the panel size (" + r.getAnalysisModels().size()
                    + "), or left out to wait for every panel model";
        }
        Long grace = r.getQuorumGraceMs();
        if (grace != null && grace < 0) return "quorum_grace_ms is " + grace + "; it must be 0 or more milliseconds";
        return null;
    }

    private static String messages(List<Message> messages) {
        if (messages.isEmpty()) {
            return "messages is empty; give a prompt or at least one {\"role\": \"user\", \"content\": ...} message";
        }
        boolean user = false;
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (!ROLES.contains(m.getRole())) {
                return "messages[" + i + "].role is '" + m.getRole() + "'; it must be one of " + sorted(ROLES);
            }
            user |= m.getRole().equals("user") && !m.getContent().isBlank();
        }
        return user ? null : "messages has no user message with text; add the question as a user message";
    }

    private static String panel(List<String> models) {
        if (models.isEmpty()) {
            return "analysis_models is empty and no default panel is configured; list 1 to " + MAX_PANEL
                    + " model ids or set fusion.panel.default-models";
        }
        if (models.size() > MAX_PANEL) {
            return "analysis_models has " + models.size() + " models; a panel has 1 to " + MAX_PANEL + " models";
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < models.size(); i++) {
            String m = models.get(i);
            if (m.isBlank()) return "analysis_models[" + i + "] is blank; give a model id such as openai/gpt-5";
            if (!seen.add(m)) return "analysis_models lists '" + m + "' twice; list each model once";
        }
        return null;
    }

    /** Each supplied answer is one panel model's, given once, with text: the judge gets it as that model's answer. */
    private static String supplied(FusionRequest r) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < r.getPanelResponses().size(); i++) {
            SuppliedResponse s = r.getPanelResponses().get(i);
            String at = "panel_responses[" + i + "]";
            if (s.getModel().isBlank()) return at + ".model is blank; name the model that gave the answer";
            if (!r.getAnalysisModels().contains(s.getModel())) {
                return at + ".model is '" + s.getModel() + "', which is not in analysis_models " + r.getAnalysisModels()
                        + "; list it there, or leave analysis_models out (the panel is then the models of panel_responses)";
            }
            if (!seen.add(s.getModel())) return at + " gives a second answer of '" + s.getModel() + "'; give each model's answer once";
            if (s.getContent().isBlank()) {
                return at + ".content is empty; give the model's answer, or leave its entry out to have the model called";
            }
        }
        return null;
    }

    private static List<String> sorted(Set<String> values) {
        return values.stream().sorted().toList();
    }
}
