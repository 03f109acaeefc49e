package fusion.cli;

/**
 * A subcommand that ships in a module of its own ({@code fusion bench}, in fusion-bench), so the production jar does
 * not carry it: {@link FusionCommand} adds each one that {@link java.util.ServiceLoader} finds on the class path.
 */
public interface OptionalCommand {}
