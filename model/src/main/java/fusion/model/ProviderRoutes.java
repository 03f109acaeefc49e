package fusion.model;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Chooses the provider for a model id: the provider with the longest model prefix the id starts
 * with, else the default provider, else none.
 */
public final class ProviderRoutes {
    private final List<ProviderConfig> providers;
    private final ProviderConfig defaultProvider;

    /**
     * @param defaultProvider name of the provider for models no prefix matches, or null for none
     * @throws ProviderConfigException on duplicate names, an unknown default, or a prefix claimed twice
     */
    public ProviderRoutes(List<ProviderConfig> providers, String defaultProvider) {
        this.providers = List.copyOf(providers);
        Map<String, ProviderConfig> byName = new HashMap<>();
        Map<String, String> prefixOwner = new HashMap<>();
        for (ProviderConfig p : this.providers) {
            if (byName.putIfAbsent(p.name(), p) != null) {
                throw new ProviderConfigException("provider '" + p.name() + "' is configured twice; names in fusion.providers must be unique");
            }
            for (String prefix : new HashSet<>(p.modelPrefixes())) {
                String other = prefixOwner.putIfAbsent(prefix, p.name());
                if (other != null) {
                    throw new ProviderConfigException("model prefix '" + prefix + "' is claimed by both fusion.provider." + other
                            + ".models and fusion.provider." + p.name() + ".models; keep it in one of them");
                }
            }
        }
        if (defaultProvider != null && !byName.containsKey(defaultProvider)) {
            throw new ProviderConfigException("fusion.provider.default=" + defaultProvider + " names no configured provider; use one of "
                    + byName.keySet().stream().sorted().collect(Collectors.joining(", ")) + " or add it to fusion.providers");
        }
        this.defaultProvider = defaultProvider == null ? null : byName.get(defaultProvider);
    }

    /** Reads {@code fusion.providers} and {@code fusion.provider.*}; API keys named by {@code api-key-env} come from the process environment. */
    public static ProviderRoutes fromProperties(Map<String, String> properties) {
        return fromProperties(properties, System::getenv);
    }

    /**
     * Reads {@code fusion.providers} and {@code fusion.provider.*}, looking up {@code api-key-env}
     * variables with {@code env}. Other properties in the map are ignored.
     *
     * @throws ProviderConfigException naming the offending property and how to fix it
     */
    public static ProviderRoutes fromProperties(Map<String, String> properties, Function<String, String> env) {
        return ProviderProperties.parse(properties, env);
    }

    /** One provider that takes every model; for tests and the simulator. */
    public static ProviderRoutes single(String name, String baseUrl, String apiKey) {
        return new ProviderRoutes(List.of(ProviderConfig.of(name, baseUrl, apiKey)), name);
    }

    /** The provider for {@code model}, or empty when no prefix matches and there is no default. */
    public Optional<ProviderConfig> route(String model) {
        ProviderConfig best = null;
        int bestLength = -1;
        for (ProviderConfig p : providers) {
            String prefix = p.matchingPrefix(model);
            if (prefix != null && prefix.length() > bestLength) {
                best = p;
                bestLength = prefix.length();
            }
        }
        return Optional.ofNullable(best != null ? best : defaultProvider);
    }

    public List<ProviderConfig> providers() {
        return providers;
    }

    public Optional<ProviderConfig> defaultProvider() {
        return Optional.ofNullable(defaultProvider);
    }

    /** Whether at least one provider can be called: it has a key, or needs none (a local http server). */
    public boolean hasUsableProvider() {
        return providers.stream().anyMatch(ProviderConfig::usable);
    }

    /**
     * The providers that need a key and have none (see {@link ProviderConfig#requiresApiKey()}):
     * every call to them could only be refused, so a run that lists them should not start.
     */
    public List<ProviderConfig> providersMissingKey() {
        return providers.stream().filter(p -> !p.usable()).toList();
    }

    /**
     * Fails fast, before any call is made, when no provider can be called.
     *
     * @throws IllegalStateException with a message such as "set OPENROUTER_API_KEY or configure a provider"
     */
    public void requireUsableProvider() {
        if (hasUsableProvider()) return;
        Set<String> hints = providers.stream().map(ProviderConfig::apiKeyHint).collect(Collectors.toCollection(LinkedHashSet::new));
        throw new IllegalStateException("No model provider has an API key: " + String.join(", ", hints)
                + ", or configure a provider that needs none (e.g. fusion.providers=local and fusion.provider.local.base-url=http://localhost:11434/v1)");
    }

    @Override
    public String toString() {
        return "ProviderRoutes[providers=" + providers + ", default=" + (defaultProvider == null ? "none" : defaultProvider.name()) + "]";
    }
}
