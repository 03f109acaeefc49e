package fusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.results.ResultJson;
import fusion.schema.FusionResult;
import fusion.schema.ModelResponse;
import fusion.schema.ResultStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fusion eval: finished results graded against gold answers, a row per panel model and one for the fused answer. */
class EvalCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static FusionResult result(String id, String alpha, String beta, String fused) {
        return FusionResult.newBuilder().setRequestId(id).setStatus(ResultStatus.ok).setJudgeModel("sim/judge").setFinalAnswer(fused)
                .setResponses(new ArrayList<>(List.of(new ModelResponse("sim/alpha", alpha), new ModelResponse("sim/beta", beta)))).build();
    }

    private Path results(FusionResult... results) throws Exception {
        List<String> lines = new ArrayList<>();
        for (FusionResult r : results) lines.add(ResultJson.toJson(r));
        return Files.write(dir.resolve("results.jsonl"), lines);
    }

    @Test
    @DisplayName("fusion eval over simulated grades → a row per panel model and one for fused; the grader scores gold coverage; --out has every grade")
    void tableOfPanelAndFused() throws Exception {
        Path results = results(
                result("q1", "Paris is the capital", "Lyon", "Paris is the capital of France"),
                result("q2", "Water boils at 100 degrees", "It boils at 90 degrees", "At sea level water boils at 100 degrees Celsius"),
                result("q3", "The answer is 42", "42", null));
        Path gold = Files.write(dir.resolve("gold.jsonl"), List.of(
                "{\"id\": \"q1\", \"gold\": \"Paris is the capital of France\"}",
                "{\"id\": \"q2\", \"gold\": \"water boils at 100 degrees Celsius\"}",
                "{\"id\": \"q3\", \"gold\": \"42\"}"));
        Path questions = Files.write(dir.resolve("questions.jsonl"), List.of(
                "{\"id\": \"q1\", \"prompt\": \"What is the capital of France?\"}",
                "{\"id\": \"q2\", \"prompt\": \"At what temperature does water boil?\"}",
                "{\"id\": \"q3\", \"prompt\": \"What is the answer to everything?\"}"));
        Path grades = dir.resolve("grades.jsonl");
        Path log = dir.resolve("requests.log");

        String[] command = {"eval", results.toString(), "--gold", gold.toString(), "--grader", "sim/grader", "--input", questions.toString(),
                "--out", grades.toString(), "--simulate", "--state-dir", dir.resolve("eval").toString(),
                "--set", "fusion.simulator.latency-ms=1", "--set", "fusion.simulator.request-log=" + log};
        CommandRun eval = CommandRun.of(command);

        assertThat(eval.code()).as(eval.err()).isZero();
        List<String> table = eval.out().lines().toList();
        assertThat(table.get(0)).startsWith("answer").contains("graded", "score", "wins", "losses", "cost");
        assertThat(table).anySatisfy(l -> assertThat(l).matches("sim/alpha\\s+3\\s+.*best\\s+-.*"));
        assertThat(table).anySatisfy(l -> assertThat(l).startsWith("sim/beta ").contains(" 3 "));
        assertThat(table).anySatisfy(l -> assertThat(l).matches("fused\\s+3\\s+.*"));
        assertThat(eval.out()).contains("1 fused answers written for the eval");

        List<JsonNode> lines = new ArrayList<>();
        for (String l : Files.readAllLines(grades)) lines.add(JSON.readTree(l));
        assertThat(lines).hasSize(3 * 2 + 3);
        JsonNode fusedQ1 = lines.stream().filter(l -> l.get("request_id").asText().equals("q1") && l.get("answer").asText().equals("fused")).findFirst().orElseThrow();
        assertThat(fusedQ1.get("score").asDouble()).as("every word of the gold answer covered").isEqualTo(1.0);
        JsonNode betaQ1 = lines.stream().filter(l -> l.get("request_id").asText().equals("q1") && l.get("answer").asText().equals("sim/beta")).findFirst().orElseThrow();
        assertThat(betaQ1.get("score").asDouble()).isZero();
        List<String> called = Files.readAllLines(log).stream().map(l -> {
            try {
                return JSON.readTree(l).get("model").asText();
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
        assertThat(called).as("9 grades and one answer written for q3 by its judge").hasSize(10).containsOnly("sim/grader", "sim/judge");

        CommandRun again = CommandRun.of(command);
        assertThat(again.out()).contains("9 grades taken from earlier evals").contains(table.get(1));
        assertThat(Files.readAllLines(log)).as("only the answer for q3 is written again; the simulator writes the same one, so its grade is kept too")
                .hasSize(11);
    }

    /** What fusion eval says on stderr about a gold file {@code name} holding {@code content}, having exited 2. */
    private String goldProblem(String name, String content) throws Exception {
        Path results = results(result("q1", "a", "b", "c"));
        Path gold = Files.writeString(dir.resolve(name), content);
        CommandRun eval = CommandRun.of("eval", results.toString(), "--gold", gold.toString(), "--simulate");
        assertThat(eval.code()).isEqualTo(2);
        assertThat(eval.out()).isEmpty();
        return eval.err().strip();
    }

    @Test
    @DisplayName("a gold file with a broken line → one line naming the file and the line, exit 2, nothing graded")
    void brokenGoldLine() throws Exception {
        assertThat(goldProblem("gold.jsonl", "{\"id\": \"q1\", \"gold\": \"a\"}\n{\"id\": \"q2\", \"gold\": \n"))
                .startsWith("fusion eval: gold.jsonl line 2 is not valid JSON").doesNotContain("\n");
    }

    @Test
    @DisplayName("a gold row without its answer → one line naming the line and the column")
    void goldRowWithoutAnswer() throws Exception {
        assertThat(goldProblem("gold.jsonl", "{\"id\": \"q1\", \"gold\": \"a\"}\n{\"id\": \"q2\", \"answer\": \"b\"}\n"))
                .isEqualTo("fusion eval: gold.jsonl line 2 has no gold answer: its 'gold' column is empty or missing; "
                        + "fill it in, or name the column with --gold-column");
    }

    @Test
    @DisplayName("a gold CSV without the gold column → one line naming the column and the columns it has")
    void goldCsvWithoutColumn() throws Exception {
        assertThat(goldProblem("gold.csv", "id,answer\nq1,a\n"))
                .isEqualTo("fusion eval: gold.csv has no column 'gold' for the gold answers; its columns are id, answer. "
                        + "Name the gold answers' column with --gold-column");
    }

    @Test
    @DisplayName("gold in CSV under other column names (--id-column, --gold-column) → graded")
    void goldCsvOtherNames() throws Exception {
        Path results = results(result("q1", "Paris", "paris.", "Paris"));
        Path gold = Files.writeString(dir.resolve("gold.csv"), "qid,expected,prompt\nq1,Paris,\"Capital of France?\"\n");

        CommandRun eval = CommandRun.of("eval", results.toString(), "--gold", gold.toString(), "--id-column", "qid", "--gold-column", "expected",
                "--grader", "sim/grader", "--simulate", "--state-dir", dir.resolve("eval").toString(), "--set", "fusion.simulator.latency-ms=1");

        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(eval.out().lines()).anySatisfy(l -> assertThat(l).matches("fused\\s+1\\s+100\\.0%.*"));
        assertThat(eval.out().lines()).anySatisfy(l -> assertThat(l).matches("majority\\s+1\\s+100\\.0%.*"));
    }
}
