package fusion.cli;

import fusion.model.ProviderRoutes;
import fusion.runtime.FusionConfig;

/** The model providers a command's settings configure, checked before anything starts. */
final class ModelProviders {
    private ModelProviders() {}

    /**
     * The configured providers, or null after saying on stderr how to configure one.
     *
     * @param otherwise a further way out, e.g. ", or pass --simulate to use the built-in simulator"; may be empty
     */
    static ProviderRoutes configured(String command, FusionConfig config, String otherwise) {
        ProviderRoutes routes = ProviderRoutes.fromProperties(config.values(), System::getenv);
        if (routes.hasUsableProvider()) return routes;
        System.err.println("fusion " + command + ": no model provider is configured. Set OPENROUTER_API_KEY, "
                + "or configure a provider (fusion.provider.<name>.base-url; see README, Configuration)" + otherwise + ".");
        return null;
    }
}
