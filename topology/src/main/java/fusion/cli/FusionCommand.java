package fusion.cli;

import fusion.dataset.DatasetException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Optional;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fusion}: multi-model deliberation over Kafka. */
@Command(name = "fusion", mixinStandardHelpOptions = true, version = "fusion 0.1.0",
        description = "Multi-model deliberation (a panel of LLMs, a judge, an analysis) as a Kafka Streams pipeline.",
        footer = "Add --debug to any command to see the stack trace of an error.",
        subcommands = {RunCommand.class, BrokerCommand.class, ServeCommand.class, SubmitCommand.class, CollectCommand.class, StatusCommand.class, CancelCommand.class, ReportCommand.class, RejudgeCommand.class, EvalCommand.class})
public final class FusionCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Given anywhere on the command line, shows the stack trace of any error; it is taken out before parsing. */
    static final String DEBUG = "--debug";

    public static void main(String[] args) {
        fusion.runtime.StartupTrace.mark("main");
        // On a 2-core machine the common pool has parallelism 1, and then every async completion
        // (the JDK HttpClient's among them) starts a new thread. Give it a real pool before first use.
        if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
            System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism",
                    Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
        }
        System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "fusion.schema");
        System.exit(execute(args));
    }

    static int execute(String[] args) {
        boolean debug = Arrays.asList(args).contains(DEBUG);
        String[] rest = Arrays.stream(args).filter(a -> !a.equals(DEBUG)).toArray(String[]::new);
        return commandLine(debug).execute(rest);
    }

    /** The command line as main runs it: user errors said in one line. */
    static CommandLine commandLine() {
        return commandLine(false);
    }

    private static CommandLine commandLine(boolean debug) {
        CommandLine fusion = new CommandLine(new FusionCommand());
        for (OptionalCommand command : ServiceLoader.load(OptionalCommand.class)) fusion.addSubcommand(command);
        return fusion
                .setParameterExceptionHandler(FusionCommand::badArguments)
                .setExecutionExceptionHandler((e, command, parsed) -> problem(e, command, debug));
    }

    /**
     * A mistyped command or option: what is wrong, the nearest name when there is one, and where the help is, in place
     * of the full usage text, which buries the one line that matters.
     */
    private static int badArguments(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        String name = command.getCommandSpec().qualifiedName();
        boolean notACommand = e instanceof CommandLine.UnmatchedArgumentException u && !command.getSubcommands().isEmpty()
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-");
        String what = notACommand ? "'" + ((CommandLine.UnmatchedArgumentException) e).getUnmatched().get(0) + "' is not a command" : e.getMessage();
        err.println(name + ": " + what + hint(e));
        err.println("see '" + name + " --help'");
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static String hint(CommandLine.ParameterException e) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException unmatched) || unmatched.getUnmatched().isEmpty()) return "";
        String given = unmatched.getUnmatched().get(0);
        CommandLine command = e.getCommandLine();
        Optional<String> near;
        if (given.startsWith("-")) {
            String option = given.contains("=") ? given.substring(0, given.indexOf('=')) : given;
            near = Closest.to(option, command.getCommandSpec().optionsMap().keySet(), Math.max(1, option.length() / 3));
        } else {
            near = Closest.to(given, command.getSubcommands().keySet(), Math.max(1, given.length() / 3));
        }
        if (near.isEmpty() && !unmatched.getSuggestions().isEmpty()) near = Optional.of(unmatched.getSuggestions().get(0));
        return near.map(n -> "; did you mean " + (n.startsWith("-") ? n : command.getCommandSpec().qualifiedName() + " " + n) + "?").orElse("");
    }

    /**
     * What the user can fix (a dataset that cannot be read, a setting or path that cannot work) is said in a line, with no
     * stack trace, and exits 2. A Schema Registry that cannot be reached, or a pipeline that could not start, is said the
     * same way and exits 1: the command may be run again. Anything else is a bug: one line too, and --debug shows where.
     */
    private static int problem(Exception e, CommandLine command, boolean debug) {
        PrintWriter err = command.getErr();
        if (debug) e.printStackTrace(err);
        String prefix = "fusion " + command.getCommandName() + ": ";
        if (userError(e)) {
            err.println(prefix + e.getMessage());
            return 2;
        }
        if (e instanceof fusion.registry.SchemaRegistryException || e instanceof fusion.runtime.FusionApp.StartupException) {
            err.println(prefix + e.getMessage());
            return 1;
        }
        err.println(prefix + "unexpected error: " + e + (debug ? "" : "; run again with --debug to see where"));
        return 1;
    }

    static boolean userError(Exception e) {
        if (e instanceof UsageError || e instanceof DatasetException || e instanceof fusion.model.ProviderConfigException) return true;
        return e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().startsWith("fusion.");
    }
}
