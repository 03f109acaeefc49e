package fusion.connect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server of its own: a cluster made by {@code initdb} in a temporary directory, started by
 * {@code pg_ctl} on a free loopback port, with no Unix socket outside that directory, and removed when closed.
 * It runs the same on a developer's machine and in CI, where {@code .ci/run} installs Debian's postgresql. PostgreSQL
 * refuses to run as root, so as root it runs as the {@code postgres} user the Debian package creates.
 */
final class ThrowawayPostgres implements AutoCloseable {
    static final String USER = "fusion";

    private final Path dir;
    private final Path bin;
    private final List<String> asUser;
    private final int port;
    private final Thread stopOnExit = new Thread(this::stop, "stop-throwaway-postgres");

    private ThrowawayPostgres(Path dir, Path bin, List<String> asUser, int port) {
        this.dir = dir;
        this.bin = bin;
        this.asUser = asUser;
        this.port = port;
    }

    /**
     * Starts one, or skips the calling test with the reason when this machine has no PostgreSQL; under {@code CI=true}
     * the test fails instead, so that CI never passes by skipping it.
     */
    static ThrowawayPostgres startOrSkip() throws IOException, InterruptedException {
        Optional<Path> bin = binaries();
        if (bin.isEmpty()) {
            String why = "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin or on PATH; "
                    + "install Debian's postgresql package (apt-get install postgresql) to run this test";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) Assertions.fail(why + " (CI=true: .ci/run installs it)");
            Assumptions.abort(why);
        }
        return start(bin.get());
    }

    private static ThrowawayPostgres start(Path bin) throws IOException, InterruptedException {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("fusion-pg-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        List<String> asUser = List.of();
        if (root) {
            UserPrincipal postgres;
            try {
                postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
                throw new IllegalStateException("PostgreSQL refuses to run as root, and there is no 'postgres' user to run it as; "
                        + "Debian's postgresql package creates one (or run the tests as another user)");
            }
            Files.setOwner(dir, postgres);
            asUser = List.of("runuser", "-u", "postgres", "--");
        }
        ThrowawayPostgres server = new ThrowawayPostgres(dir, bin, asUser, freePort());
        server.run("initdb", "-D", dir.resolve("data").toString(), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync");
        server.run("pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-p " + server.port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir + " -c fsync=off", "start");
        Runtime.getRuntime().addShutdownHook(server.stopOnExit);
        return server;
    }

    /** The newest server under /usr/lib/postgresql (Debian's layout), else initdb on PATH. */
    private static Optional<Path> binaries() throws IOException {
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Optional<Path> newest = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                        .max(Comparator.comparingInt(b -> major(b.getParent().getFileName().toString())));
                if (newest.isPresent()) return newest;
            }
        }
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .filter(p -> !p.isEmpty()).map(Path::of)
                .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                .findFirst();
    }

    private static int major(String version) {
        try {
            return Integer.parseInt(version);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void run(String program, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(asUser);
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        Path output = Files.createTempFile("fusion-pg-" + program, ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(program + " did not finish within 90 s: " + Files.readString(output));
            }
            if (process.exitValue() != 0) {
                String log = Files.exists(dir.resolve("server.log")) ? "\nserver.log:\n" + Files.readString(dir.resolve("server.log")) : "";
                throw new IllegalStateException(String.join(" ", command) + " exited " + process.exitValue() + ":\n" + Files.readString(output) + log);
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    private void stop() {
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                run("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
    }
}
