package fusion.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The names of the settings a user writes in --set and --config, checked before anything starts. A name one typo away
 * from a known one is an error that names the fix; a fusion.* name this version does not know is said to be ignored, not
 * refused, since a setting read by a newer part (a web search backend, a simulator knob) must not stop a run.
 * Settings from the environment are not checked: FUSION_* variables may belong to other tools.
 */
final class SettingNames {
    /** Groups of settings whose names are open: a provider's, a model's, a preset's or a price's name sits inside them. */
    private static final Set<String> OPEN_GROUPS = Set.of("provider", "model", "preset", "price", "simulator", "topic",
            "calls.retry", "calls.circuit", "schema-registry.basic-auth", "batch");

    private static final Set<String> NAMES = Set.of("fusion.providers", "fusion.application-id", "fusion.partitions",
            "fusion.replication-factor", "fusion.stream-threads", "fusion.max-cost-usd", "fusion.max-request-bytes", "fusion.audit-topics",
            "fusion.run.retry-failed", "fusion.panel.default-models", "fusion.judge.default-model", "fusion.max-tool-calls.default",
            "fusion.join.deadline-ms", "fusion.join.scan-interval-ms", "fusion.join.emitted-retention-ms", "fusion.intake.retention-ms",
            "fusion.calls.timeout-ms", "fusion.calls.max-in-flight", "fusion.calls.max-in-flight-per-model", "fusion.calls.max-queued",
            "fusion.calls.patience-ms", "fusion.calls.reuse-answers", "fusion.calls.reuse-retention-ms", "fusion.calls.max-capacity-wait-ms",
            "fusion.calls.forward-interval-ms", "fusion.schema-registry.url", "fusion.results.format", "fusion.tools.default",
            "fusion.web-fetch.allow", "fusion.web-fetch.ports", "fusion.web-fetch.max-bytes", "fusion.web-fetch.timeout-ms",
            "fusion.web-fetch.max-redirects", "fusion.web-fetch.max-chars", "fusion.web-search.backend", "fusion.web-search.url",
            "fusion.web-search.api-key-env", "fusion.web-search.api-key", "fusion.web-search.max-results", "fusion.web-search.timeout-ms",
            "fusion.quorum.default", "fusion.quorum.grace-ms", "fusion.events");

    private SettingNames() {}

    /**
     * @param given setting name → where it was given ("--set", or the config file's name)
     * @throws UsageError for a name that is a typo of a known one, or that is neither fusion.* nor kafka.*
     */
    static void check(Map<String, String> given, String command, PrintStream warnings) {
        for (var e : given.entrySet()) {
            String name = e.getKey();
            String where = e.getValue();
            if (name.startsWith("kafka.") || known(name)) continue;
            if (!name.startsWith("fusion.")) {
                throw new UsageError(name + " (" + where + ") is not a setting: settings are fusion.* (README, Configuration) or kafka.*, "
                        + "passed to Kafka's clients as they are (for this one, kafka." + name + ")");
            }
            Optional<String> near = nearest(name);
            if (near.isPresent()) {
                throw new UsageError(name + " (" + where + ") is not a setting; did you mean " + near.get() + "?");
            }
            warnings.println("fusion " + command + ": " + name + " (" + where + ") is not a setting this version knows; it is ignored");
        }
    }

    private static boolean known(String name) {
        if (NAMES.contains(name)) return true;
        for (String group : OPEN_GROUPS) {
            if (name.startsWith("fusion." + group + ".")) return true;
        }
        return false;
    }

    /** A known name, or an open group with the rest of the name kept ("fusion.simualtor.latency-ms" → "fusion.simulator.latency-ms"). */
    private static Optional<String> nearest(String name) {
        Optional<String> exact = Closest.to(name, NAMES, 2);
        if (exact.isPresent()) return exact;
        for (String group : OPEN_GROUPS) {
            String prefix = "fusion." + group + ".";
            int cut = Math.min(name.length(), prefix.length());
            // the group is the part of the name as long as the group's own prefix, give or take a typo's letter
            for (int len = Math.max(0, cut - 2); len <= Math.min(name.length(), cut + 2); len++) {
                String head = name.substring(0, len);
                if (!head.endsWith(".") || name.length() == len) continue;
                if (Closest.distance(head, prefix) <= 2) return Optional.of(prefix + name.substring(len));
            }
        }
        return Optional.empty();
    }
}
