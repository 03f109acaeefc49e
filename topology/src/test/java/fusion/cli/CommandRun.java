package fusion.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** {@code fusion ARGS...} run in this JVM the way FusionCommand.main runs it, with what it printed and its exit code. */
record CommandRun(int code, String out, String err) {
    static CommandRun of(String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            CommandLine cli = FusionCommand.commandLine();
            cli.setErr(new PrintWriter(errors, true, StandardCharsets.UTF_8));
            int code = cli.execute(args);
            return new CommandRun(code, printed.toString(StandardCharsets.UTF_8), errors.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
        }
    }
}
