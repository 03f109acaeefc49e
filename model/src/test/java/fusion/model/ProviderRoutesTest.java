package fusion.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ProviderRoutesTest {
    private static final String KEY = "sk-or-v1-fedcba9876543210fedcba9876543210";
    private static final Function<String, String> NO_ENV = name -> null;

    private static Function<String, String> env(String name, String value) {
        return n -> n.equals(name) ? value : null;
    }

    private static ProviderRoutes routes(Function<String, String> env, String... keyValues) {
        Map<String, String> properties = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) properties.put(keyValues[i], keyValues[i + 1]);
        return ProviderRoutes.fromProperties(properties, env);
    }

    private static ProviderConfig provider(ProviderRoutes routes, String name) {
        return routes.providers().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    @Nested
    @DisplayName("reading the properties")
    class Reading {
        @Test
        @DisplayName("no properties → openrouter at https://openrouter.ai/api/v1, key from OPENROUTER_API_KEY, the default")
        void openRouterDefaults() {
            ProviderRoutes routes = routes(env("OPENROUTER_API_KEY", KEY));

            assertThat(routes.providers()).hasSize(1);
            ProviderConfig openrouter = routes.providers().get(0);
            assertThat(openrouter.name()).isEqualTo("openrouter");
            assertThat(openrouter.baseUrl()).isEqualTo(URI.create("https://openrouter.ai/api/v1"));
            assertThat(openrouter.chatCompletionsUri()).isEqualTo(URI.create("https://openrouter.ai/api/v1/chat/completions"));
            assertThat(openrouter.apiKey()).isEqualTo(KEY);
            assertThat(openrouter.apiKeyEnv()).isEqualTo("OPENROUTER_API_KEY");
            assertThat(openrouter.structuredOutput()).isTrue();
            assertThat(openrouter.stripPrefix()).isFalse();
            assertThat(routes.defaultProvider()).contains(openrouter);
            assertThat(routes.route("anthropic/claude-sonnet-4.5")).contains(openrouter);
        }

        @Test
        @DisplayName("every documented setting of a listed provider is read")
        void allSettings() {
            ProviderRoutes routes = routes(NO_ENV,
                    "fusion.providers", "openrouter, local",
                    "fusion.provider.default", "openrouter",
                    "fusion.provider.local.base-url", "http://localhost:11434/v1/",
                    "fusion.provider.local.api-key", "local-secret",
                    "fusion.provider.local.models", "ollama/, vllm/ ,",
                    "fusion.provider.local.strip-prefix", "true",
                    "fusion.provider.local.structured-output", "FALSE",
                    "fusion.provider.local.header.X-Title", "Fusion",
                    "fusion.provider.local.header.HTTP-Referer", "https://example.com",
                    "unrelated.setting", "ignored");

            ProviderConfig local = provider(routes, "local");
            assertThat(local.baseUrl()).isEqualTo(URI.create("http://localhost:11434/v1"));
            assertThat(local.apiKey()).isEqualTo("local-secret");
            assertThat(local.modelPrefixes()).containsExactly("ollama/", "vllm/");
            assertThat(local.stripPrefix()).isTrue();
            assertThat(local.structuredOutput()).isFalse();
            assertThat(local.headers()).containsEntry("X-Title", "Fusion").containsEntry("HTTP-Referer", "https://example.com");
            assertThat(routes.defaultProvider().map(ProviderConfig::name)).contains("openrouter");
        }

        @Test
        @DisplayName("api-key in config wins over the env variable; api-key-env names any variable")
        void keySources() {
            ProviderRoutes direct = routes(env("OPENROUTER_API_KEY", "from-env"), "fusion.provider.openrouter.api-key", KEY);
            ProviderRoutes custom = routes(env("MY_OR_KEY", KEY), "fusion.provider.openrouter.api-key-env", "MY_OR_KEY");

            assertThat(direct.providers().get(0).apiKey()).isEqualTo(KEY);
            assertThat(custom.providers().get(0).apiKey()).isEqualTo(KEY);
            assertThat(custom.providers().get(0).apiKeyHint()).contains("set MY_OR_KEY");
        }

        @Test
        @DisplayName("an empty env variable counts as no key")
        void blankKeyIsNoKey() {
            assertThat(routes(env("OPENROUTER_API_KEY", "  ")).providers().get(0).apiKey()).isNull();
        }

        @Test
        @DisplayName("default provider unset → openrouter when listed, else the first listed")
        void defaultProviderChoice() {
            assertThat(routes(NO_ENV, "fusion.providers", "local,openrouter", "fusion.provider.local.base-url", "http://localhost:8000/v1")
                    .defaultProvider().map(ProviderConfig::name)).contains("openrouter");
            assertThat(routes(NO_ENV, "fusion.providers", "vllm,local",
                    "fusion.provider.vllm.base-url", "http://localhost:8000/v1",
                    "fusion.provider.local.base-url", "http://localhost:11434/v1")
                    .defaultProvider().map(ProviderConfig::name)).contains("vllm");
        }

        @Test
        @DisplayName("blank fusion.provider.default → models no prefix matches have no provider")
        void noDefault() {
            ProviderRoutes routes = routes(NO_ENV,
                    "fusion.providers", "local",
                    "fusion.provider.default", "",
                    "fusion.provider.local.base-url", "http://localhost:11434/v1",
                    "fusion.provider.local.models", "ollama/");

            assertThat(routes.route("ollama/llama3")).isPresent();
            assertThat(routes.route("openai/gpt-5")).isEmpty();
        }
    }

    @Nested
    @DisplayName("routing")
    class Routing {
        private final ProviderRoutes routes = routes(env("OPENROUTER_API_KEY", KEY),
                "fusion.providers", "openrouter,local,qwen",
                "fusion.provider.local.base-url", "http://localhost:11434/v1",
                "fusion.provider.local.models", "ollama/",
                "fusion.provider.local.strip-prefix", "true",
                "fusion.provider.qwen.base-url", "http://gpu-box:8000/v1",
                "fusion.provider.qwen.models", "ollama/qwen");

        @Test
        @DisplayName("longest matching prefix wins")
        void longestPrefix() {
            assertThat(routes.route("ollama/qwen3:8b").map(ProviderConfig::name)).contains("qwen");
            assertThat(routes.route("ollama/llama3.2").map(ProviderConfig::name)).contains("local");
        }

        @Test
        @DisplayName("models no prefix matches go to the default provider")
        void unmatchedToDefault() {
            assertThat(routes.route("openai/gpt-5-mini").map(ProviderConfig::name)).contains("openrouter");
        }

        @Test
        @DisplayName("strip-prefix removes the matched prefix from the wire model id, only where configured")
        void wireModel() {
            assertThat(provider(routes, "local").wireModel("ollama/llama3.2")).isEqualTo("llama3.2");
            assertThat(provider(routes, "qwen").wireModel("ollama/qwen3:8b")).isEqualTo("ollama/qwen3:8b");
            assertThat(provider(routes, "openrouter").wireModel("openai/gpt-5-mini")).isEqualTo("openai/gpt-5-mini");
        }

        @Test
        @DisplayName("single(name, baseUrl, apiKey) sends every model to that provider")
        void single() {
            ProviderRoutes single = ProviderRoutes.single("sim", "http://localhost:8089/v1", null);

            assertThat(single.route("anything/at-all").map(ProviderConfig::name)).contains("sim");
            assertThat(single.hasUsableProvider()).isTrue();
        }
    }

    @Nested
    @DisplayName("usable provider check")
    class Usability {
        @Test
        @DisplayName("OPENROUTER_API_KEY unset and nothing else → not usable; the error says to set it or configure a provider")
        void noKey() {
            ProviderRoutes routes = routes(NO_ENV);

            assertThat(routes.hasUsableProvider()).isFalse();
            assertThatThrownBy(routes::requireUsableProvider)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("set OPENROUTER_API_KEY")
                    .hasMessageContaining("configure a provider");
        }

        @Test
        @DisplayName("key set → usable")
        void withKey() {
            ProviderRoutes routes = routes(env("OPENROUTER_API_KEY", KEY));

            assertThat(routes.hasUsableProvider()).isTrue();
            routes.requireUsableProvider();
        }

        @Test
        @DisplayName("a local http provider needs no key → usable even without OPENROUTER_API_KEY")
        void localNeedsNoKey() {
            ProviderRoutes routes = routes(NO_ENV, "fusion.providers", "openrouter,local",
                    "fusion.provider.local.base-url", "http://localhost:11434/v1");

            assertThat(provider(routes, "local").requiresApiKey()).isFalse();
            assertThat(provider(routes, "openrouter").usable()).isFalse();
            assertThat(routes.hasUsableProvider()).isTrue();
            assertThat(routes.providersMissingKey()).extracting(ProviderConfig::name).containsExactly("openrouter");
        }

        @Test
        @DisplayName("a remote base-url needs a key whatever its scheme; loopback (localhost, 127.x, [::1]) or api-key-required=false needs none")
        void whoNeedsAKey() {
            ProviderRoutes routes = routes(NO_ENV, "fusion.providers", "openrouter,gpu,open,loop4,loop6,strict",
                    "fusion.provider.openrouter.base-url", "https://proxy.example.com/v1",
                    "fusion.provider.gpu.base-url", "http://gpu-box:8000/v1",
                    "fusion.provider.open.base-url", "http://gpu-box:8001/v1",
                    "fusion.provider.open.api-key-required", "false",
                    "fusion.provider.loop4.base-url", "http://127.0.0.1:8089/v1",
                    "fusion.provider.loop6.base-url", "http://[::1]:8089/v1",
                    "fusion.provider.strict.base-url", "http://localhost:8089/v1",
                    "fusion.provider.strict.api-key-required", "true");

            assertThat(routes.providersMissingKey()).extracting(ProviderConfig::name).containsExactly("openrouter", "gpu", "strict");
            assertThat(provider(routes, "openrouter").apiKeySetting()).isEqualTo("OPENROUTER_API_KEY");
            assertThat(provider(routes, "gpu").apiKeySetting()).isEqualTo("fusion.provider.gpu.api-key");
            assertThatThrownBy(() -> routes(NO_ENV, "fusion.provider.openrouter.api-key-required", "maybe"))
                    .hasMessageContaining("fusion.provider.openrouter.api-key-required='maybe' is not a boolean");
        }
    }

    @Nested
    @DisplayName("configuration errors name the property and the fix")
    class Errors {
        @Test
        @DisplayName("base-url that is not a URL")
        void notAUrl() {
            assertThatThrownBy(() -> routes(NO_ENV, "fusion.providers", "local", "fusion.provider.local.base-url", "localhost 11434"))
                    .isInstanceOf(ProviderConfigException.class)
                    .hasMessageContaining("fusion.provider.local.base-url")
                    .hasMessageContaining("not a URL")
                    .hasMessageContaining("http://localhost:11434/v1");
        }

        @Test
        @DisplayName("base-url without http(s) scheme or host")
        void notHttp() {
            assertThatThrownBy(() -> routes(NO_ENV, "fusion.providers", "local", "fusion.provider.local.base-url", "localhost:11434/v1"))
                    .isInstanceOf(ProviderConfigException.class)
                    .hasMessageContaining("fusion.provider.local.base-url")
                    .hasMessageContaining("not an http(s) URL");
            assertThatThrownBy(() -> routes(NO_ENV, "fusion.providers", "local", "fusion.provider.local.base-url", "ftp://host/v1"))
                    .hasMessageContaining("not an http(s) URL");
            assertThatThrownBy(() -> routes(NO_ENV, "fusion.providers", "local", "fusion.provider.local.base-url", "http:///v1"))
                    .hasMessageContaining("has no host");
        }

        @Test
        @DisplayName("base-url missing for a provider other than openrouter")
        void missingBaseUrl() {
            assertThatThrownBy(() -> routes(NO_ENV, "fusion.providers", "local"))
                    .isInstanceOf(ProviderConfigException.class)
                    .hasMessageContaining("fusion.provider.local.base-url is not set");
        }

        @Test
        @DisplayName("a setting for a provider not listed in fusion.providers (a typo)")
        void unlistedProvider() {
            assertThatThrownBy(() -> routes(NO_ENV, "fusion.providers", "openrouter,local",
                    "fusion.provider.local.base-url", "http://localhost:11434/v1",
                    "fusion.provider.lcoal.models", "ollama/"))
                    .isInstanceOf(ProviderConfigException.class)
                    .hasMessageContaining("fusion.provider.lcoal.models")
                    .hasMessageContaining("not listed in fusion.providers");
        }

        @Test
        @DisplayName("an unknown setting")
        void unknownSetting() {
            assertThatThrownBy(() -> routes(NO_ENV, "fusion.provider.openrouter.base_url", "https://openrouter.ai/api/v1"))
                    .isInstanceOf(ProviderConfigException.class)
                    .hasMessageContaining("unknown property fusion.provider.openrouter.base_url")
                    .hasMessageContaining("base-url");
        }

        @Test
        @DisplayName("fusion.provider.default naming no configured provider")
        void unknownDefault() {
            assertThatThrownBy(() -> routes(NO_ENV, "fusion.provider.default", "openai"))
                    .isInstanceOf(ProviderConfigException.class)
                    .hasMessageContaining("fusion.provider.default=openai")
                    .hasMessageContaining("openrouter");
        }

        @Test
        @DisplayName("a boolean that is not true or false")
        void badBoolean() {
            assertThatThrownBy(() -> routes(NO_ENV, "fusion.provider.openrouter.strip-prefix", "yes"))
                    .isInstanceOf(ProviderConfigException.class)
                    .hasMessageContaining("fusion.provider.openrouter.strip-prefix='yes'")
                    .hasMessageContaining("true or false");
        }

        @Test
        @DisplayName("the same model prefix claimed by two providers")
        void prefixClaimedTwice() {
            assertThatThrownBy(() -> routes(NO_ENV, "fusion.providers", "a,b",
                    "fusion.provider.a.base-url", "http://a/v1", "fusion.provider.a.models", "ollama/",
                    "fusion.provider.b.base-url", "http://b/v1", "fusion.provider.b.models", "ollama/"))
                    .isInstanceOf(ProviderConfigException.class)
                    .hasMessageContaining("'ollama/'")
                    .hasMessageContaining("fusion.provider.a.models")
                    .hasMessageContaining("fusion.provider.b.models");
        }

        @Test
        @DisplayName("a key pasted into api-key-env → error that points to api-key and does not echo the key")
        void keyInApiKeyEnv() {
            assertThatThrownBy(() -> routes(NO_ENV, "fusion.provider.openrouter.api-key-env", KEY))
                    .isInstanceOf(ProviderConfigException.class)
                    .hasMessageContaining("fusion.provider.openrouter.api-key-env must name an environment variable")
                    .hasMessageContaining("fusion.provider.openrouter.api-key")
                    .hasMessageNotContaining(KEY);
        }

        @Test
        @DisplayName("an empty or repeated provider list, and a header the HTTP client cannot send")
        void listAndHeaderErrors() {
            assertThatThrownBy(() -> routes(NO_ENV, "fusion.providers", " , "))
                    .hasMessageContaining("fusion.providers is empty");
            assertThatThrownBy(() -> routes(NO_ENV, "fusion.providers", "openrouter,openrouter"))
                    .hasMessageContaining("lists 'openrouter' twice");
            assertThatThrownBy(() -> routes(NO_ENV, "fusion.provider.openrouter.header.Host", "example.com"))
                    .isInstanceOf(ProviderConfigException.class)
                    .hasMessageContaining("fusion.provider.openrouter.header.Host");
        }
    }

    @Nested
    @DisplayName("secrets")
    class Secrets {
        @Test
        @DisplayName("ProviderConfig.toString() never shows the key or secret-looking headers")
        void toStringRedacts() {
            ProviderConfig config = new ProviderConfig("openrouter", URI.create("https://openrouter.ai/api/v1"), KEY, "OPENROUTER_API_KEY",
                    Map.of("X-Title", "Fusion", "X-Api-Key", "header-secret"), List.of(), false, true, true);

            assertThat(config.toString())
                    .doesNotContain(KEY)
                    .doesNotContain("header-secret")
                    .contains("apiKey=***")
                    .contains("X-Title=Fusion")
                    .contains("OPENROUTER_API_KEY");
            assertThat(ProviderRoutes.single("openrouter", "https://openrouter.ai/api/v1", KEY).toString()).doesNotContain(KEY);
        }

        @Test
        @DisplayName("redact() replaces every occurrence of the key")
        void redact() {
            ProviderConfig config = ProviderConfig.of("openrouter", "https://openrouter.ai/api/v1", KEY);

            assertThat(config.redact("key " + KEY + " and again " + KEY)).isEqualTo("key *** and again ***");
        }
    }
}
