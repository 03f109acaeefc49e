package fusion.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The {@code fusion} command as a separate OS process, on this test JVM's class path: for tests of
 * what only a real process shows (kill -9, several commands against one broker).
 */
public final class FusionProcess implements AutoCloseable {
    /** The first line of {@code fusion broker} and {@code fusion run}. */
    private static final java.util.regex.Pattern BOOTSTRAP = java.util.regex.Pattern.compile("(?m)^bootstrap\\.servers=(127\\.0\\.0\\.1:\\d+)$");

    private final Process process;
    private final Path output;
    private final List<String> command;

    private FusionProcess(Process process, Path output, List<String> command) {
        this.process = process;
        this.output = output;
        this.command = command;
    }

    /** Starts {@code fusion args...} in {@code workDir}; stdout and stderr go to {@code output}. */
    public static FusionProcess start(Path workDir, Path output, String... args) throws IOException {
        return start(workDir, output, Map.of(), args);
    }

    /**
     * The same with {@code env} added to the environment. FUSION_* and KAFKA_* variables of this JVM
     * are not passed on: they are settings, and the child sees only those the test gives.
     */
    public static FusionProcess start(Path workDir, Path output, Map<String, String> env, String... args) throws IOException {
        return start(List.of("-cp", System.getProperty("java.class.path"), "fusion.cli.FusionCommand"), workDir, output, env, args);
    }

    /** The same on {@code classPath} instead of this JVM's (the lean runnable set, say). */
    static FusionProcess startOn(String classPath, Path workDir, Path output, String... args) throws IOException {
        return start(List.of("-cp", classPath, "fusion.cli.FusionCommand"), workDir, output, Map.of(), args);
    }

    /** The same with another build's {@code fusion.jar} (a released one, say) instead of this JVM's class path. */
    static FusionProcess startJar(Path jar, Path workDir, Path output, String... args) throws IOException {
        return start(List.of("-jar", jar.toString()), workDir, output, Map.of(), args);
    }

    private static FusionProcess start(List<String> launch, Path workDir, Path output, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                // These processes live for seconds: the client compiler alone and the serial collector start them sooner
                // on a small, shared machine, and change nothing they do.
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=fusion.schema"));
        command.addAll(launch);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("FUSION_") || name.startsWith("KAFKA_"));
        builder.environment().putAll(env);
        Process process = builder
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        return new FusionProcess(process, output, command);
    }

    /** {@code fusion broker} with its data in {@code dir/broker}, once it has said where it is ({@link #bootstrapServers}). */
    public static FusionProcess broker(Path dir) throws Exception {
        FusionProcess broker = start(dir, dir.resolve("broker.out"), "broker", "--state-dir", dir.resolve("broker").toString());
        broker.awaitOutput(line -> BOOTSTRAP.matcher(line).find(), Duration.ofSeconds(60));
        return broker;
    }

    /**
     * {@code fusion serve --simulate} against {@code bootstrap} with its state in {@code dir/serve}, two partitions, one replica,
     * and {@code settings} ({@code key=value}), once it serves.
     */
    public static FusionProcess simulatedServe(Path dir, String bootstrap, String... settings) throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", "--simulate", "--bootstrap-servers", bootstrap, "--state-dir", dir.resolve("serve").toString(),
                "--set", "fusion.partitions=2", "--set", "fusion.replication-factor=1"));
        for (String setting : settings) args.addAll(List.of("--set", setting));
        FusionProcess serve = start(dir, dir.resolve("serve.out"), Map.of(), args.toArray(String[]::new));
        serve.awaitOutput(line -> line.startsWith("serving "), Duration.ofSeconds(90));
        return serve;
    }

    /** The {@code bootstrap.servers=} line's address, as {@code fusion broker} and {@code fusion run} print it first. */
    public String bootstrapServers() throws IOException {
        java.util.regex.Matcher m = BOOTSTRAP.matcher(output());
        if (!m.find()) throw new AssertionError("no bootstrap.servers= line in the output:\n" + output());
        return m.group(1);
    }

    /** Waits for the process to end; fails the test, with its output, when it outlives {@code timeout}. */
    public int waitFor(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("fusion did not finish within " + timeout + ": " + String.join(" ", command.subList(5, command.size()))
                    + "\n--- its output ---\n" + output());
        }
        return process.exitValue();
    }

    /** Waits until the process's output has a line that {@code ready} accepts. */
    public void awaitOutput(Predicate<String> ready, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (output().lines().anyMatch(ready)) return;
            if (!process.isAlive()) break;
            Thread.sleep(50);
        }
        // CI keeps the head and tail of a long message; the failure's own lines go first so they survive.
        throw new AssertionError("fusion did not print what was awaited within " + timeout + (process.isAlive() ? "" : " (it exited)")
                + "\n--- its errors ---\n" + failureLines(output()) + "\n--- its output ---\n" + output());
    }

    /** The lines that say why a process failed: exceptions and their causes, and ERROR log lines. */
    static String failureLines(String output) {
        return output.lines().filter(l -> l.contains("Exception") || l.contains("Caused by") || l.contains(" ERROR ")
                || l.startsWith("fusion ")).limit(20).collect(java.util.stream.Collectors.joining("\n"));
    }

    /** kill -9: no shutdown hook runs, nothing is flushed or closed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Ctrl-C: SIGTERM, so shutdown hooks run. */
    public int stop(Duration timeout) throws Exception {
        process.destroy();
        return waitFor(timeout);
    }

    public boolean alive() {
        return process.isAlive();
    }

    public String output() throws IOException {
        return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }
}
