package fusion.model;

/**
 * Provider configuration that cannot work. The message names the property and how to fix it, so a
 * CLI can print it as is.
 */
public class ProviderConfigException extends IllegalArgumentException {
    public ProviderConfigException(String message) {
        super(message);
    }
}
