package fusion.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** A file or directory a command will write, checked before anything starts. */
final class OutputFile {
    private OutputFile() {}

    /** --out must name a file whose directory exists and can be written, and must not be the input. */
    static void check(String option, Path out, Path input) {
        Path absolute = out.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            throw new UsageError(option + " " + out + " is a directory; name a file in it, e.g. " + out.resolve("results.jsonl"));
        }
        if (input != null && absolute.equals(input.toAbsolutePath().normalize())) {
            throw new UsageError(option + " " + out + " is the input file itself; name another file for the results");
        }
        Path dir = absolute.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UsageError(option + " " + out + ": directory " + dir + " does not exist; create it (mkdir -p " + dir + ") or name a file in one that does");
        }
        if (!Files.isWritable(dir) || (Files.exists(absolute) && !Files.isWritable(absolute))) {
            throw new UsageError(option + " " + out + " cannot be written; check the permissions of " + (Files.exists(absolute) ? absolute : dir));
        }
    }

    /** A directory the command creates if needed: it, or the nearest of its parents that exists, must be a writable directory. */
    static void checkDirectory(String option, Path dir) {
        Path p = dir.toAbsolutePath().normalize();
        if (Files.exists(p) && !Files.isDirectory(p)) throw new UsageError(option + " " + dir + " is a file; name a directory");
        while (p != null && !Files.exists(p)) p = p.getParent();
        if (p == null || !Files.isDirectory(p) || !Files.isWritable(p)) {
            throw new UsageError(option + " " + dir + " cannot be created or written: " + p + " is not a directory you can write to");
        }
    }

    /** An input file that must exist and be readable. */
    static void checkInput(String option, Path input) {
        if (!Files.isRegularFile(input)) throw new UsageError(option + " " + input + " does not exist or is not a file");
        if (!Files.isReadable(input)) throw new UsageError(option + " " + input + " cannot be read; check its permissions");
    }
}
