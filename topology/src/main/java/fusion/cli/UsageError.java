package fusion.cli;

/**
 * What the user gave cannot work: a path, a format, a setting. The message names it and says how to fix it, so it is
 * printed as one line, with no stack trace, and the command exits 2.
 */
public final class UsageError extends RuntimeException {
    public UsageError(String message) {
        super(message);
    }
}
