package fusion.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.dataset.Dataset;
import fusion.dataset.DatasetFormat;
import fusion.eval.Evaluation;
import fusion.eval.GoldAnswers;
import fusion.eval.GradeCache;
import fusion.eval.Scoreboard;
import fusion.intake.RequestJson;
import fusion.runtime.FinishedResults;
import fusion.runtime.FusionConfig;
import fusion.runtime.ModelCalls;
import fusion.schema.FusionResult;
import io.micrometer.core.instrument.Metrics;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fusion eval RESULTS --gold GOLD}: does fusion beat the best single model on this data? A grader model scores
 * each panel model's answer, the fused answer and a majority vote against the gold answers, and a table compares them.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Grades finished results (JSONL or Parquet) against gold answers (JSONL, CSV or Parquet, with id and gold columns): "
                + "each panel model's answer, the fused answer (final_answer, or one written for the eval when a result has none) and, "
                + "where the answers are short labels, the panel's majority vote.",
                "Prints a row per panel model and one labelled fused: answers graded, mean score, wins and losses against the best "
                        + "single model, cost."})
public final class EvalCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", paramLabel = "RESULTS", description = "a results file of fusion run, collect or rejudge (JSONL or Parquet)")
    Path resultsFile;

    @Option(names = "--gold", required = true, paramLabel = "GOLD", description = "gold answers: JSONL, CSV or Parquet, told by the extension")
    Path goldFile;

    @Option(names = "--id-column", defaultValue = "id", paramLabel = "COLUMN", description = "the gold file's id column (default ${DEFAULT-VALUE}, else request_id)")
    String idColumn;

    @Option(names = "--gold-column", defaultValue = "gold", paramLabel = "COLUMN", description = "the gold file's answer column (default ${DEFAULT-VALUE})")
    String goldColumn;

    @Option(names = "--grader", paramLabel = "MODEL", description = "the model that grades; default fusion.eval.grader, else the default judge")
    String grader;

    @Option(names = "--final-model", paramLabel = "MODEL",
            description = "who writes a fused answer for a result that has no final_answer; default the result's judge")
    String finalModel;

    @Option(names = "--input", paramLabel = "QUESTIONS",
            description = "the dataset the results came from (its prompt and id columns): the grader sees each question, and a fused answer "
                    + "can be written for results without final_answer; else the gold file's prompt column, if it has one")
    Path input;

    @Option(names = "--out", paramLabel = "GRADES", description = "write every grade, one JSON line each (id, answer, score, reason, cost)")
    Path out;

    @Mixin
    ModelRunOptions run;

    @Override
    public Integer call() throws Exception {
        Map<String, GoldAnswers.Gold> gold = GoldAnswers.read(goldFile, DatasetFormat.of(goldFile), idColumn, goldColumn);
        Map<String, FusionResult> results = FinishedResults.read(resultsFile);
        Map<String, String> questions = input == null ? Map.of() : questions(Dataset.of(input));
        FusionConfig config = FusionConfig.load(run.configFile, run.overrides);
        String gradingModel = grader != null ? grader : config.string("fusion.eval.grader", config.pipeline().requestDefaults().judgeModel());
        Evaluation.Outcome outcome;
        Path state = run.stateDir(resultsFile, "eval");
        try (ModelRunOptions.Models models = run.models("eval", config);
             GradeCache cache = GradeCache.open(state.resolve("grades.jsonl"))) {
            if (models == null) return 2;
            try (var client = ModelCalls.open(models.routes(), config, Metrics.globalRegistry)) {
                outcome = new Evaluation(client, gradingModel, finalModel, cache).grade(results, gold, questions);
            }
        }
        System.out.print(Scoreboard.of(outcome.grades()).describe());
        double gradingCost = outcome.grades().stream().mapToDouble(Evaluation.Grade::gradingCost).sum();
        Map<String, Integer> failures = new TreeMap<>();
        outcome.grades().stream().filter(g -> g.score() == null).forEach(g -> failures.merge(g.failure(), 1, Integer::sum));
        System.out.printf(Locale.ROOT, "grader %s: %d grades, $%.4f%s%n", gradingModel, outcome.grades().size(), gradingCost,
                failures.isEmpty() ? "" : "; not graded: " + failures);
        if (outcome.reusedGrades() > 0) {
            System.out.printf(Locale.ROOT, "%d grades taken from earlier evals in %s, not paid again%n", outcome.reusedGrades(), state);
        }
        if (outcome.synthesisCalls() > 0) {
            System.out.printf(Locale.ROOT, "%d fused answers written for the eval (results without final_answer), $%.4f%n", outcome.synthesisCalls(),
                    outcome.synthesisCost());
        }
        if (!outcome.skipped().isEmpty()) {
            Map<String, Integer> why = new TreeMap<>();
            outcome.skipped().values().forEach(reason -> why.merge(reason, 1, Integer::sum));
            System.out.println("left out: " + why);
        }
        long unanswered = gold.keySet().stream().filter(id -> !results.containsKey(id)).count();
        if (unanswered > 0) System.out.printf(Locale.ROOT, "%d gold answers have no result in %s%n", unanswered, resultsFile);
        if (out != null) {
            write(outcome, gradingModel);
            System.out.println("grades in " + out);
        }
        return 0;
    }

    private void write(Evaluation.Outcome outcome, String gradingModel) throws java.io.IOException {
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (Evaluation.Grade g : outcome.grades()) {
                ObjectNode line = JSON.createObjectNode().put("request_id", g.id()).put("answer", g.answer()).put("grader", gradingModel);
                if (g.score() != null) line.put("score", g.score());
                if (g.reason() != null) line.put("reason", g.reason());
                if (g.failure() != null) line.put("failure", g.failure());
                line.put("answer_cost", g.answerCost()).put("grading_cost", g.gradingCost());
                w.write(JSON.writeValueAsString(line));
                w.newLine();
            }
        }
    }

    /** The dataset's questions by request id, as run derived them: the prompt, or the last user message. */
    private static Map<String, String> questions(Dataset dataset) throws java.io.IOException {
        Map<String, String> out = new HashMap<>();
        dataset.format().reader().read(dataset.file(), dataset.columns(), row -> {
            if (row.problem() != null) return;
            try {
                var request = RequestJson.parse(row.fields());
                var messages = request.getMessages();
                if (!messages.isEmpty()) out.putIfAbsent(request.getRequestId(), messages.get(messages.size() - 1).getContent());
            } catch (RuntimeException e) {
                // a row that was no request has no result to grade
            }
        });
        return out;
    }
}
