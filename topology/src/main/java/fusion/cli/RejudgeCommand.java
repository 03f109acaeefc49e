package fusion.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fusion.dataset.Dataset;
import fusion.runtime.BulkRun;
import fusion.runtime.FinishedResults;
import fusion.runtime.FusionConfig;
import fusion.runtime.RunProgress;
import fusion.runtime.RunSummary;
import fusion.runtime.Rejudging;
import fusion.runtime.ResultSink;
import fusion.schema.CallRecord;
import fusion.schema.FusionResult;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fusion rejudge RESULTS --input QUESTIONS --judge MODEL --out NEW}: finished results judged again by another
 * judge, paying only the judge (and the writer, with --final-model). The judge-only requests go through
 * {@code fusion run}'s whole path (the same limits, retries, cost accounting and resumable state), under derived ids
 * ({@link Rejudging}).
 */
@Command(name = "rejudge", mixinStandardHelpOptions = true,
        description = {"Judges the panel answers of a finished results file (JSONL or Parquet) again with another judge: no panel "
                + "model is called. Writes the new results to --out under the original ids, each with its new judge_model.",
                "On the topics, a re-judged request has the id <id>~rejudge-<judge>[+<final model>], so it neither meets the "
                        + "original request's idempotence nor replaces the original result."})
public final class RejudgeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", arity = "0..1", paramLabel = "RESULTS",
            description = "a results file of fusion run or fusion collect (JSONL or Parquet); or --from-topic")
    Path resultsFile;

    @Option(names = "--from-topic", description = "judge again the results on the cluster's results topic (with --bootstrap-servers) "
            + "whose ids the --input dataset asks, instead of a results file")
    boolean fromTopic;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...",
            description = "send the re-judged requests to this cluster (its fusion serve instances make the calls) instead of an embedded broker")
    String bootstrapServers;

    @Option(names = "--input", required = true, paramLabel = "QUESTIONS",
            description = "the dataset the results came from (JSONL, CSV or Parquet): a result does not carry its question, the judge needs it")
    Path input;

    @Mixin
    DatasetOptions dataset;

    @Option(names = "--judge", required = true, paramLabel = "MODEL", description = "the judge that compares the panel answers again")
    String judge;

    @Option(names = "--final-model", paramLabel = "MODEL", description = "when set, this model writes final_answer from the new analysis")
    String finalModel;

    @Option(names = "--label", paramLabel = "NAME",
            description = "names this re-judging in the derived ids, <id>~rejudge-<NAME> (default the judge, +<final model> with one): "
                    + "a new label judges again what an earlier re-judging with the same judge answered (another judge prompt, say)")
    String label;

    @Option(names = "--out", required = true, paramLabel = "NEW", description = "where the re-judged results go (JSONL or Parquet)")
    Path out;

    @Mixin
    ResultFileOptions results;

    @Mixin
    ModelRunOptions run;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(input)) {
            System.err.println("fusion rejudge: --input " + input + " does not exist or is not a file");
            return 2;
        }
        if (fromTopic == (resultsFile != null) || (fromTopic && bootstrapServers == null)) {
            System.err.println("fusion rejudge: give either RESULTS (a results file) or --from-topic with --bootstrap-servers");
            return 2;
        }
        if (bootstrapServers != null && run.simulate) {
            System.err.println("fusion rejudge: --simulate is for the embedded broker; on a cluster its fusion serve instances make the calls "
                    + "(start them with serve --simulate to simulate)");
            return 2;
        }
        FusionConfig config = FusionConfig.load(run.configFile, run.overrides);
        Map<String, FusionResult> finished = fromTopic
                ? FinishedResults.fromTopic(config.kafkaClient(bootstrapServers), config.topics().results())
                : FinishedResults.read(resultsFile);
        Rejudging.Plan plan = Rejudging.plan(finished, dataset.of(input), judge, finalModel, label(), fromTopic);
        if (!plan.withoutQuestion().isEmpty()) {
            System.err.println("fusion rejudge: " + input + " has no question for " + plan.withoutQuestion().size() + " results (" + first(plan.withoutQuestion())
                    + "); give the dataset the results came from, with the same --id-column and --prompt-column");
            return 2;
        }
        if (plan.requests().isEmpty()) {
            System.err.println("fusion rejudge: no result with panel answers to judge again (" + plan.withoutAnswers().size() + " results without any)");
            return 2;
        }
        Path state = run.stateDir(fromTopic ? input : resultsFile, "rejudge");
        Files.createDirectories(state);
        Path requests = state.resolve("rejudge-requests.jsonl");
        try (BufferedWriter w = Files.newBufferedWriter(requests, StandardCharsets.UTF_8)) {
            for (ObjectNode request : plan.requests()) {
                w.write(JSON.writeValueAsString(request));
                w.newLine();
            }
        }
        Path rejudged = state.resolve("rejudged.jsonl");
        if (bootstrapServers != null) {
            RunSummary summary = new BulkRun(config.kafkaClient(bootstrapServers), config.topics(),
                    RunProgress.open("fusion rejudge", System.err, Duration.ofSeconds(run.progressSeconds), null), config.pipeline().requestDefaults())
                    .run(Dataset.of(requests), rejudged, ResultSink.Format.JSONL);
            System.out.println(summary.describe());
        } else {
            int code = run(requests, rejudged, state);
            if (code != 0) return code;
        }

        long panelCalls = 0;
        int written = 0;
        try (ResultSink sink = results.open(out)) {
            for (FusionResult r : FinishedResults.read(rejudged).values()) {
                for (CallRecord c : r.getCalls()) if (c.getStage().equals("panel") && !c.getReused()) panelCalls++;
                sink.write(Rejudging.restored(r));
                written++;
            }
        }
        System.out.printf(Locale.ROOT, "rejudged %d results with %s%s: %d panel calls made, %d panel answers taken from %s%n",
                written, judge, finalModel == null ? "" : " (final answers by " + finalModel + ")", panelCalls, plan.suppliedAnswers(), fromTopic ? config.topics().results().name() : resultsFile);
        if (!plan.withoutAnswers().isEmpty()) {
            System.out.printf(Locale.ROOT, "%d results had no panel answer to judge and were left out (%s)%n", plan.withoutAnswers().size(),
                    first(plan.withoutAnswers()));
        }
        System.out.println("on the topics under <id>~rejudge-" + label() + "; re-judged results in " + out);
        return 0;
    }

    /** The judge-only requests through {@code fusion run}, with this command's run options. */
    private int run(Path requests, Path rejudged, Path state) {
        List<String> args = new ArrayList<>(List.of(requests.toString(), "--out", rejudged.toString(), "--state-dir", state.toString()));
        args.addAll(run.asRunArguments());
        return new CommandLine(new RunCommand())
                .setExecutionExceptionHandler((e, command, parsed) -> {
                    throw e; // the outer command reports it, the way fusion run's own problems are
                })
                .execute(args.toArray(String[]::new));
    }

    private String label() {
        return label != null ? label : Rejudging.label(judge, finalModel);
    }

    private static String first(List<String> ids) {
        return ids.size() <= 3 ? String.join(", ", ids) : String.join(", ", ids.subList(0, 3)) + ", ...";
    }
}
