package fusion.cli;

import fusion.model.ProviderConfig;
import fusion.model.ProviderRoutes;
import fusion.runtime.FusionConfig;
import java.util.List;

/** The model providers a command's settings configure, checked before anything starts. */
final class ModelProviders {
    private static final String OPENROUTER_HOST = "openrouter.ai";

    private ModelProviders() {}

    /**
     * The configured providers, or null after saying on stderr, in a line per provider, which one
     * lacks its key and what to set. Every provider in {@code fusion.providers} is in use (a request
     * may name any of its models) and must have its key, unless it needs none: a base URL on
     * loopback, or {@code fusion.provider.<name>.api-key-required=false}. Without this check a run
     * with a base URL and no key sent every call to be refused and stored every row as an error.
     *
     * @param otherwise a further way out, e.g. ", or pass --simulate to use the built-in simulator"; may be empty
     */
    static ProviderRoutes configured(String command, FusionConfig config, String otherwise) {
        ProviderRoutes routes = ProviderRoutes.fromProperties(config.values(), System::getenv);
        List<ProviderConfig> missing = routes.providersMissingKey();
        if (missing.isEmpty()) return routes;
        if (!routes.hasUsableProvider()) {
            ProviderConfig first = missing.get(0);
            System.err.println("fusion " + command + ": no model provider is configured with a key: provider " + first.name()
                    + " needs one; " + first.apiKeyHint() + ", or configure a provider (fusion.provider.<name>.base-url; see README, "
                    + "Configuration)" + otherwise + ".");
            missing = missing.subList(1, missing.size());
        }
        for (ProviderConfig provider : missing) {
            System.err.println("fusion " + command + ": provider " + provider.name() + " (" + provider.baseUrl() + ") needs an API key and has none; "
                    + provider.apiKeyHint() + keylessHint(provider) + ".");
        }
        return null;
    }

    /** The built-in simulator, started with the settings' {@code fusion.simulator.*}, saying on stderr where it listens. */
    static fusion.simulator.Simulator startSimulator(FusionConfig config) {
        var simulator = fusion.simulator.Simulator.start(fusion.simulator.SimulatorConfig.fromProperties(config.values()));
        System.err.println("simulating every model on " + simulator.baseUrl());
        return simulator;
    }

    /** Every model call to {@code simulator}. */
    static ProviderRoutes simulated(fusion.simulator.Simulator simulator) {
        return ProviderRoutes.single("simulator", simulator.baseUrl(), null);
    }

    private static String keylessHint(ProviderConfig provider) {
        if (OPENROUTER_HOST.equalsIgnoreCase(provider.baseUrl().getHost())) return "";
        return ", or set fusion.provider." + provider.name() + ".api-key-required=false if it takes none";
    }
}
