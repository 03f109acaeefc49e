package fusion.cli;

import fusion.runtime.FusionConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** A command's settings (--config, the environment, --set), read and checked before anything starts. */
final class CommandSettings {
    private CommandSettings() {}

    /**
     * The settings, each name and every value the pipeline reads checked now: a typo or a value out of range is a
     * {@link UsageError} here, not a stack trace after the broker has started.
     */
    static FusionConfig load(String command, Path file, Map<String, String> overrides) throws IOException {
        Map<String, String> given = new LinkedHashMap<>();
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new UsageError("--config " + file + " does not exist or is not a file; pass a .properties file of fusion.* settings");
            }
            if (!Files.isReadable(file)) throw new UsageError("--config " + file + " cannot be read; check its permissions");
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            } catch (IllegalArgumentException e) {
                throw new UsageError("--config " + file + " is not a .properties file (" + e.getMessage() + ")");
            }
            p.stringPropertyNames().forEach(name -> given.put(name.trim(), file.getFileName().toString()));
        }
        overrides.keySet().forEach(name -> given.put(name, "--set"));
        SettingNames.check(given, command, System.err);
        try {
            FusionConfig config = FusionConfig.load(file, overrides);
            config.pipeline();
            config.capacity();
            config.topics();
            config.callTimeout();
            for (String positive : new String[] {"fusion.partitions", "fusion.stream-threads"}) {
                int value = config.integer(positive, 1);
                if (value < 1) throw new UsageError(positive + " is " + value + "; it must be 1 or more");
            }
            return config;
        } catch (IllegalArgumentException e) {
            // FusionConfig and the provider settings say what is wrong and how to fix it; the stack says nothing more
            throw new UsageError(e.getMessage());
        }
    }
}
