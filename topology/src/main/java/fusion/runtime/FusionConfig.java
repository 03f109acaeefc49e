package fusion.runtime;

import fusion.calls.CallBudget;
import fusion.calls.CallCapacity;
import fusion.calls.CallSettings;
import fusion.intake.FusionDefaults;
import fusion.intake.Preset;
import fusion.topology.PipelineSettings;
import fusion.topology.Topics;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Configuration as flat {@code fusion.*} properties: a file, then CLI overrides. Every key is
 * listed in the README with its default.
 */
public final class FusionConfig {
    private final Map<String, String> values;

    public FusionConfig(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** Reads {@code file} (a .properties file) when given, then the environment, then {@code overrides}: later wins. */
    public static FusionConfig load(Path file, Map<String, String> overrides) throws IOException {
        return load(file, System.getenv(), overrides);
    }

    /**
     * Settings in the environment: {@code FUSION_CALLS_MAX__IN__FLIGHT=64} is
     * {@code fusion.calls.max-in-flight=64} and {@code KAFKA_SECURITY_PROTOCOL=SASL_SSL} is
     * {@code kafka.security.protocol=SASL_SSL}: lower case, {@code _} for a dot, {@code __} for a dash.
     */
    /** Variables of the JVM launchers (ours and Kafka's scripts), not client settings. */
    private static final java.util.Set<String> LAUNCHER_VARIABLES = java.util.Set.of("FUSION_JAVA_OPTS", "FUSION_CDS",
            StartupTrace.VARIABLE, "KAFKA_HOME", "KAFKA_OPTS", "KAFKA_HEAP_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_GC_LOG_OPTS", "KAFKA_JMX_OPTS", "KAFKA_DEBUG",
            "KAFKA_LOG_DIR");

    static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> out = new HashMap<>();
        env.forEach((name, value) -> {
            if ((name.startsWith("FUSION_") || name.startsWith("KAFKA_")) && !LAUNCHER_VARIABLES.contains(name)) {
                String key = name.toLowerCase(java.util.Locale.ROOT).replace("__", "\u0000").replace('_', '.').replace("\u0000", "-");
                out.put(key, value);
            }
        });
        return out;
    }

    public static FusionConfig load(Path file, Map<String, String> env, Map<String, String> overrides) throws IOException {
        Map<String, String> values = new HashMap<>();
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("config file " + file + " does not exist; pass a .properties file to --config");
            }
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            p.forEach((k, v) -> values.put(k.toString().trim(), v.toString().trim()));
        }
        values.putAll(fromEnvironment(env));
        values.putAll(overrides);
        return new FusionConfig(values);
    }

    public Map<String, String> values() {
        return values;
    }

    public String string(String key, String fallback) {
        String v = values.get(key);
        return v == null || v.isBlank() ? fallback : v;
    }

    public int integer(String key, int fallback) {
        String v = values.get(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is '" + v + "'; it must be a whole number");
        }
    }

    public boolean bool(String key, boolean fallback) {
        String v = values.get(key);
        if (v == null || v.isBlank()) return fallback;
        return switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException(key + " is '" + v + "'; it must be true or false");
        };
    }

    public Duration millis(String key, Duration fallback) {
        String v = values.get(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Duration.ofMillis(Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is '" + v + "'; it must be a number of milliseconds");
        }
    }

    public List<String> list(String key, List<String> fallback) {
        String v = values.get(key);
        if (v == null || v.isBlank()) return fallback;
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Entries under {@code prefix}, passed through as given (for example Kafka client properties under kafka.). */
    public Map<String, String> under(String prefix) {
        Map<String, String> out = new HashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v);
        });
        return out;
    }

    /** Settings for a Kafka client: bootstrap servers plus every kafka.* setting (security.protocol, sasl.*, ssl.*, ...). */
    public Map<String, Object> kafkaClient(String bootstrapServers) {
        Map<String, Object> p = new HashMap<>(under("kafka."));
        p.put("bootstrap.servers", bootstrapServers);
        return p;
    }

    /** {@code fusion.tools.default}: the web tools of a request that names none; {@code none} for none. */
    public List<String> defaultTools() {
        String v = values.get(FusionDefaults.TOOLS_SETTING);
        if (v == null || v.isBlank()) return FusionDefaults.WEB_TOOLS;
        if (v.strip().equalsIgnoreCase("none")) return List.of();
        List<String> tools = list(FusionDefaults.TOOLS_SETTING, FusionDefaults.WEB_TOOLS);
        for (String t : tools) {
            if (!FusionDefaults.WEB_TOOLS.contains(t)) {
                throw new IllegalArgumentException(FusionDefaults.TOOLS_SETTING + " lists '" + t + "'; it must be web_search, web_fetch, "
                        + "both comma-separated, or none");
            }
        }
        return tools;
    }

    public Topics topics() {
        return new Topics(string("fusion.topic.prefix", Topics.DEFAULT_PREFIX), fusion.topology.WireFormat.from(values));
    }

    public PipelineSettings pipeline() {
        FusionDefaults standard = FusionDefaults.standard();
        FusionDefaults defaults = new FusionDefaults(
                list("fusion.panel.default-models", standard.panelModels()),
                string("fusion.judge.default-model", standard.judgeModel()),
                integer("fusion.max-tool-calls.default", standard.maxToolCalls()),
                presets(),
                integer(FusionDefaults.MAX_REQUEST_BYTES_SETTING, FusionDefaults.MAX_REQUEST_BYTES),
                defaultTools());
        PipelineSettings d = PipelineSettings.defaults();
        CallSettings c = d.calls();
        return new PipelineSettings(defaults,
                millis("fusion.join.emitted-retention-ms", d.emittedRetention()),
                millis("fusion.join.scan-interval-ms", d.joinScanInterval()),
                new CallSettings(millis("fusion.calls.forward-interval-ms", c.forwardInterval()),
                        millis("fusion.calls.max-capacity-wait-ms", Duration.ofMillis(c.maxCapacityWaitMillis())).toMillis(),
                        integer("fusion.calls.max-queued", c.maxQueued()),
                        bool("fusion.calls.reuse-answers", c.reuseAnswers()),
                        // the key keeps its v0.1.0 name; it now counts from when each call was sent
                        millis("fusion.join.deadline-ms", c.deadline()),
                        millis("fusion.calls.reuse-retention-ms", c.reuseRetention())),
                millis("fusion.intake.retention-ms", d.requestRetention()),
                bool("fusion.audit-topics", d.auditTopics()),
                quorum(),
                bool("fusion.events", d.events()));
    }

    /** The quorum of requests that give none ({@code fusion.quorum.default}, unset: every panel model) and the grace. */
    public fusion.intake.QuorumDefaults quorum() {
        String q = values.get(fusion.intake.QuorumDefaults.QUORUM_SETTING);
        Integer quorum = q == null || q.isBlank() ? null : integer(fusion.intake.QuorumDefaults.QUORUM_SETTING, 0);
        return new fusion.intake.QuorumDefaults(quorum,
                millis(fusion.intake.QuorumDefaults.GRACE_SETTING, Duration.ofMillis(fusion.intake.QuorumDefaults.GRACE_MS)).toMillis());
    }

    /**
     * The built-in presets, each redefinable, plus any new ones: {@code fusion.preset.<name>.models}
     * (comma-separated) and {@code fusion.preset.<name>.judge}.
     */
    public Map<String, Preset> presets() {
        Map<String, Preset> out = new HashMap<>(Preset.standard());
        java.util.Set<String> names = new java.util.TreeSet<>();
        under("fusion.preset.").keySet().forEach(k -> {
            int dot = k.lastIndexOf('.');
            String field = dot < 0 ? k : k.substring(dot + 1);
            if (dot < 0 || !(field.equals("models") || field.equals("judge"))) {
                throw new IllegalArgumentException("fusion.preset." + k + " is not a preset setting; write fusion.preset.<name>.models "
                        + "(comma-separated model ids) or fusion.preset.<name>.judge");
            }
            names.add(k.substring(0, dot));
        });
        for (String name : names) {
            Preset base = out.get(name);
            List<String> models = list("fusion.preset." + name + ".models", base == null ? List.of() : base.panelModels());
            String judge = string("fusion.preset." + name + ".judge", base == null ? null : base.judgeModel());
            if (models.isEmpty() || models.size() > fusion.intake.RequestValidator.MAX_PANEL || judge == null) {
                throw new IllegalArgumentException("preset " + name + " needs fusion.preset." + name + ".models (1 to "
                        + fusion.intake.RequestValidator.MAX_PANEL + " model ids) and fusion.preset." + name + ".judge");
            }
            out.put(name, new Preset(name, models, judge));
        }
        return out;
    }

    /** In-flight limits, and the cost limit when {@code fusion.max-cost-usd} is set (what {@code --max-cost} sets). */
    public CallCapacity capacity() {
        return new CallCapacity(integer("fusion.calls.max-in-flight", 512), integer("fusion.calls.max-in-flight-per-model", 256))
                .withBudget(budget());
    }

    public CallBudget budget() {
        String max = values.get("fusion.max-cost-usd");
        Double limit = null;
        if (max != null && !max.isBlank()) {
            try {
                limit = Double.parseDouble(max.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("fusion.max-cost-usd (--max-cost) is '" + max + "'; it must be a number of USD, e.g. 25");
            }
        }
        return new CallBudget(limit, CallBudget.prices(values));
    }

    public Duration callTimeout() {
        return millis("fusion.calls.timeout-ms", Duration.ofSeconds(120));
    }
}
