package fusion.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The soak's figures, summed over the rounds of each scenario, as one table. */
final class SoakFigures {
    private final Map<String, Scenario> scenarios = new LinkedHashMap<>();

    private static final class Scenario {
        int rounds;
        int faults;
        long checked;
        long lost;
        long extra;
        long fileLost;
        long fileDuplicates;
        long fileExtra;
        long seconds;
        String note = "";
    }

    /**
     * One round of {@code scenario}.
     *
     * @param faults the faults it survived: kills, broker restarts, injected failures
     * @param note   what else the round measured (the latest round's note is shown)
     */
    synchronized void add(String scenario, int faults, ResultAudit.Findings findings, long seconds, String note) {
        Scenario s = scenarios.computeIfAbsent(scenario, k -> new Scenario());
        s.rounds++;
        s.faults += faults;
        s.checked += findings.checked();
        s.lost += findings.lost().size();
        s.extra += findings.extraCount();
        s.fileLost += findings.fileLost().size();
        s.fileDuplicates += findings.fileDuplicates();
        s.fileExtra += findings.fileExtra() + findings.fileStale().size();
        s.seconds += seconds;
        s.note = note;
    }

    synchronized String table() {
        StringBuilder b = new StringBuilder(String.format("%n| scenario | rounds | faults survived | requests checked | lost | extra "
                + "| file: lost / duplicate / extra or stale lines | seconds | notes |%n"
                + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |%n"));
        scenarios.forEach((name, s) -> b.append(String.format("| %s | %d | %d | %d | %d | %d | %d / %d / %d | %d | %s |%n",
                name, s.rounds, s.faults, s.checked, s.lost, s.extra, s.fileLost, s.fileDuplicates, s.fileExtra, s.seconds, s.note)));
        return b.toString();
    }

    void print(SoakPlan plan, Path file) throws IOException {
        String text = "soak figures: " + plan.describe() + table();
        System.out.println(text);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
