package fusion.cli;

import fusion.runtime.FusionConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options of the commands that talk to a Kafka cluster: where it is and how the app is configured. */
public final class ClusterOptions {
    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT,...", description = "the Kafka cluster")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE", description = "a .properties file of fusion.* and kafka.* settings (see README)")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override one setting; wins over the file and the environment")
    Map<String, String> overrides = new HashMap<>();

    /** The settings, checked as {@code fusion run}'s are; {@code command} names the command in what is printed. */
    FusionConfig config(String command) throws IOException {
        return CommandSettings.load(command, configFile, overrides);
    }
}
