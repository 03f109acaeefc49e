package fusion.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fusion broker}: the embedded single-node KRaft broker on its own, for outside clients (kcat,
 * a Python producer, {@code fusion serve}, a Connect worker). Its first line on stdout says where it is.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Starts the embedded single-node Kafka (KRaft) broker alone, on 127.0.0.1, and runs until Ctrl-C or SIGTERM.",
                "The first line on stdout is bootstrap.servers=127.0.0.1:PORT. Its data stays in --state-dir, so a restart keeps its topics."})
public final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = ".fusion/broker", description = "the broker's data (default ${DEFAULT-VALUE})")
    Path stateDir;

    @Option(names = "--port", paramLabel = "PORT", description = "the clients' port; default: the last start's, or any free one")
    Integer port;

    @Override
    public Integer call() throws Exception {
        if (port != null && (port < 1 || port > 65535)) {
            System.err.println("fusion broker: --port is " + port + "; it must be between 1 and 65535");
            return 2;
        }
        OutputFile.checkDirectory("--state-dir", stateDir);
        LocalBroker.require("broker");
        StopSignal stop = StopSignal.install("broker", Duration.ofSeconds(30));
        LocalBroker broker;
        try {
            broker = LocalBroker.start("broker", stateDir.resolve("kafka"), port);
        } catch (java.io.IOException e) {
            System.err.println("fusion broker: " + e.getMessage());
            stop.finished();
            return 2;
        }
        try (broker) {
            System.out.println("bootstrap.servers=" + broker.bootstrapServers());
            System.out.flush();
            System.err.println("broker running, data in " + stateDir.toAbsolutePath() + "; Ctrl-C stops it");
            stop.await();
            System.err.println("stopping the broker");
        } finally {
            stop.finished();
        }
        return 0;
    }
}
