package fusion.cli;

import fusion.dataset.DatasetException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fusion}: multi-model deliberation over Kafka. */
@Command(name = "fusion", mixinStandardHelpOptions = true, version = "fusion 0.1.0",
        description = "Multi-model deliberation (a panel of LLMs, a judge, an analysis) as a Kafka Streams pipeline.",
        subcommands = {RunCommand.class, BrokerCommand.class, ServeCommand.class, SubmitCommand.class, CollectCommand.class, StatusCommand.class, CancelCommand.class, BenchCommand.class, RejudgeCommand.class, EvalCommand.class})
public final class FusionCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        // On a 2-core machine the common pool has parallelism 1, and then every async completion
        // (the JDK HttpClient's among them) starts a new thread. Give it a real pool before first use.
        if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
            System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism",
                    Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
        }
        System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "fusion.schema");
        System.exit(commandLine().execute(args));
    }

    /** The command line as main runs it: user errors said in one line. */
    static CommandLine commandLine() {
        return new CommandLine(new FusionCommand()).setExecutionExceptionHandler(FusionCommand::datasetProblem);
    }

    /**
     * A dataset that cannot be read, or a setting that cannot be used, is the user's to fix: say what to change, without a
     * stack trace. A Schema Registry that cannot be reached, or a pipeline that could not start, is said the same way, and
     * the command may be run again.
     */
    private static int datasetProblem(Exception e, CommandLine command, CommandLine.ParseResult parsed) throws Exception {
        boolean setting = e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().startsWith("fusion.");
        boolean startup = e instanceof fusion.runtime.FusionApp.StartupException;
        if (!(e instanceof DatasetException) && !setting && !startup && !(e instanceof fusion.registry.SchemaRegistryException)) throw e;
        command.getErr().println("fusion " + command.getCommandName() + ": " + e.getMessage());
        return e instanceof fusion.registry.SchemaRegistryException || startup ? 1 : 2;
    }
}
