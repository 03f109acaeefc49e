package fusion.runtime;

import fusion.records.Release;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A released build of fusion, made from git: its source at the release's commit (the tag may not
 * travel with a clone; the commit is in main's history), packaged with Maven, the jar and its lib/
 * kept under target/releases/ so that a rerun of the tests does not build it again.
 */
final class ReleasedBuild {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final Path CACHE = Path.of("target", "releases");

    private ReleasedBuild() {}

    /** {@code fusion.jar} of {@code release}, built on first use (about 20 to 40 s). */
    static synchronized Path jar(Release release) throws Exception {
        Path dir = CACHE.resolve(release.tag()).toAbsolutePath();
        Path jar = dir.resolve("fusion.jar");
        Path builtFrom = dir.resolve("built-from");
        if (Files.exists(jar) && Files.exists(builtFrom) && Files.readString(builtFrom).strip().equals(release.commit())) return jar;

        Path source = CACHE.resolve(release.tag() + "-source").toAbsolutePath();
        deleteTree(source);
        deleteTree(dir);
        Files.createDirectories(source);
        Path archive = CACHE.resolve(release.tag() + "-source.tar").toAbsolutePath();
        run(REPO, source.resolveSibling(release.tag() + "-git.log"), "git", "archive", "--format=tar", "-o", archive.toString(), release.commit());
        run(source, source.resolveSibling(release.tag() + "-tar.log"), "tar", "-xf", archive.toString());
        Files.delete(archive);
        Path log = source.resolveSibling(release.tag() + "-build.log");
        // offline first, as the machines here build; then online, for a CI whose ~/.m2 lacks a plugin of that release
        if (!tryRun(source, log, maven(), "-B", "-q", "-o", "-DskipTests", "package")) {
            run(source, log, maven(), "-B", "-q", "-DskipTests", "package");
        }
        Files.createDirectories(dir.resolve("lib"));
        Path built = source.resolve("topology/target");
        Files.copy(built.resolve("fusion.jar"), jar, StandardCopyOption.REPLACE_EXISTING);
        try (Stream<Path> libs = Files.list(built.resolve("lib"))) {
            for (Path lib : libs.toList()) Files.copy(lib, dir.resolve("lib").resolve(lib.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.writeString(builtFrom, release.commit() + "\n");
        deleteTree(source);
        return jar;
    }

    /** The Maven that runs these tests, or the one on the PATH. */
    private static String maven() {
        String home = System.getProperty("maven.home");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) return Path.of(home, "bin", "mvn").toString();
        return "mvn";
    }

    private static void run(Path dir, Path log, String... command) throws Exception {
        if (!tryRun(dir, log, command)) {
            throw new AssertionError("building the released fusion failed: " + String.join(" ", command) + " in " + dir
                    + " (the release's commit must be in this clone's history)\n--- its output ---\n" + tail(log));
        }
    }

    private static boolean tryRun(Path dir, Path log, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            return false;
        }
        return process.exitValue() == 0;
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
