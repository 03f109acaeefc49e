package fusion.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code fusion run} job as the kill tests run it: {@code rows} questions to a two-model panel
 * (sim/alpha, sim/beta) and sim/judge, every model on the simulator at {@code simulatorUrl}.
 *
 * @param command the arguments of {@code fusion run}, the same for every run of the job
 */
record SimulatedJob(Path results, Path state, String[] command) {
    static SimulatedJob write(Path dir, int rows, String simulatorUrl, int perModel) throws IOException {
        Path input = dir.resolve("rows.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            lines.add("{\"id\":\"row-" + i + "\",\"prompt\":\"Question " + i + ": weigh approach A against approach B\","
                    + "\"analysis_models\":[\"sim/alpha\",\"sim/beta\"],\"model\":\"sim/judge\"}");
        }
        Files.write(input, lines);
        Path config = dir.resolve("fusion.properties");
        Files.writeString(config, String.join("\n",
                "fusion.providers=sim",
                "fusion.provider.default=sim",
                "fusion.provider.sim.base-url=" + simulatorUrl,
                "fusion.calls.max-in-flight-per-model=" + perModel,
                "fusion.provider.sim.max-in-flight=" + perModel * 3));
        Path results = dir.resolve("results.jsonl");
        Path state = dir.resolve("state");
        return new SimulatedJob(results, state, new String[] {"run", input.toString(), "--out", results.toString(),
                "--config", config.toString(), "--state-dir", state.toString(), "--progress-seconds", "1"});
    }
}
