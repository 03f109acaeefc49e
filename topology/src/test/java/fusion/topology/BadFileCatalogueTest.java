package fusion.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.dataset.Dataset;
import fusion.intake.RequestJson;
import fusion.runtime.DatasetRows;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dataset half of the bad-input catalogue: one JSONL file holding every kind of bad line, read as
 * {@code fusion run} reads it, its requests piped through the topology. Every row is answered once.
 */
class BadFileCatalogueTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SimulatedPipeline sim = new SimulatedPipeline();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        sim.close();
    }

    @Test
    @DisplayName("every kind of bad line in one file → the run reads on; each row gets its one result: ok, or an error naming the line or field")
    void everyKindOfBadLine() throws Exception {
        List<BadInput.Kind> lines = BadInput.fileLines();
        Path file = dir.resolve("catalogue.jsonl");
        Files.write(file, BadInput.file(lines));
        List<FusionResult> answered = new ArrayList<>();

        Map<String, DatasetRows.Row> rows = DatasetRows.read(Dataset.of(file), null, answered);
        rows.values().forEach(row -> sim.pipeline.submitRaw(row.requestId(), row.value(), new RecordHeaders()));
        Map<String, List<FusionResult>> results = new HashMap<>();
        answered.forEach(r -> results.computeIfAbsent(r.getRequestId(), id -> new ArrayList<>()).add(r));
        for (String id : rows.keySet()) sim.pipeline.awaitResult(id);
        sim.pipeline.settle(java.time.Duration.ofMillis(100)).forEach((id, got) -> results.computeIfAbsent(id, x -> new ArrayList<>()).addAll(got));

        SoftAssertions soft = new SoftAssertions();
        int expectedResults = 0;
        for (int i = 0; i < lines.size(); i++) {
            BadInput.Kind kind = lines.get(i);
            int line = i + 1;
            if (kind.outcome() == BadInput.Outcome.NONE) continue;
            expectedResults++;
            String id = kind.id().equals("derived") ? RequestJson.deriveId(JSON.readTree(kind.bytes())) : BadInput.idAt(kind, line);
            List<FusionResult> got = results.getOrDefault(id, List.of());
            soft.assertThat(got).as("%s (line %d): one result under %s", kind, line, id).hasSize(1);
            if (got.isEmpty()) continue;
            FusionResult result = got.get(0);
            if (kind.outcome() == BadInput.Outcome.OK) {
                soft.assertThat(result.getStatus()).as("%s: status", kind).isEqualTo(ResultStatus.ok);
                continue;
            }
            soft.assertThat(result.getStatus()).as("%s: status", kind).isEqualTo(ResultStatus.error);
            soft.assertThat(result.getFailureReason()).as("%s: failure_reason", kind).isEqualTo(kind.outcome().failureReason());
            soft.assertThat(result.getError()).as("%s: error", kind).contains(kind.message());
            if (id.startsWith("line-") || kind.outcome() == BadInput.Outcome.DUPLICATE_REQUEST_ID
                    || kind.message().contains("UTF-8") || kind.message().contains("after its JSON")) {
                soft.assertThat(result.getError()).as("%s: names the line", kind).contains("catalogue.jsonl line " + line);
            }
            soft.assertThat(result.getError()).as("%s: no stack trace", kind).doesNotContain("Exception").doesNotContain("\tat ");
        }
        soft.assertThat(results.values().stream().mapToInt(List::size).sum()).as("results, one for each answered row").isEqualTo(expectedResults);
        soft.assertAll();
        assertThat(lines).as("kinds in the catalogue's file half").hasSizeGreaterThanOrEqualTo(40);
    }

    @Test
    @DisplayName("a UTF-16 file with its byte-order mark is read as UTF-16: its rows are requests")
    void utf16WithMark() throws Exception {
        Path file = dir.resolve("unicode.jsonl");
        Files.write(file, BadInput.concat(new byte[] {(byte) 0xFF, (byte) 0xFE},
                (BadInput.good("u16-a", "") + "\r\n" + BadInput.good("u16-b", "\"note\":\"caf\u00e9\"") + "\r\n").getBytes(StandardCharsets.UTF_16LE)));
        List<FusionResult> answered = new ArrayList<>();

        Map<String, DatasetRows.Row> rows = DatasetRows.read(Dataset.of(file), null, answered);

        assertThat(answered).isEmpty();
        assertThat(rows).containsOnlyKeys("u16-a", "u16-b");
        assertThat(fusion.topology.Topics.REQUEST.decode(rows.get("u16-b").value()).getMetadata()).containsEntry("note", "caf\u00e9");
    }

    @Test
    @DisplayName("a UTF-16 file without a mark → each line is answered, saying it holds NUL bytes and may be UTF-16")
    void utf16WithoutMark() throws Exception {
        Path file = dir.resolve("unmarked.jsonl");
        Files.write(file, (BadInput.good("u16-c", "") + "\n").getBytes(StandardCharsets.UTF_16LE));
        List<FusionResult> answered = new ArrayList<>();

        Map<String, DatasetRows.Row> rows = DatasetRows.read(Dataset.of(file), null, answered);

        assertThat(rows).isEmpty();
        assertThat(answered).isNotEmpty().allSatisfy(r -> {
            assertThat(r.getFailureReason()).isEqualTo("invalid_request");
            assertThat(r.getError()).contains("unmarked.jsonl line").contains("NUL bytes: a UTF-16 file? save it as UTF-8");
        });
    }

    @Test
    @DisplayName("a CSV file with a BOM and one Latin-1 row → that row alone is answered, naming UTF-8; the others are requests")
    void csvWithLatin1Row() throws Exception {
        Path file = dir.resolve("questions.csv");
        Files.write(file, BadInput.concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                BadInput.withBytes("id,prompt,topic\nc1,Why?,sky\nc2,Caf%s?,food\nc3,\"How,\nthen?\",x\n", (byte) 0xE9)));
        List<FusionResult> answered = new ArrayList<>();

        Map<String, DatasetRows.Row> rows = DatasetRows.read(Dataset.of(file), null, answered);

        assertThat(rows).containsOnlyKeys("c1", "c3");
        assertThat(answered).singleElement().satisfies(r -> {
            assertThat(r.getRequestId()).isEqualTo("row-2");
            assertThat(r.getError()).startsWith("questions.csv row 2 (line 3) is not valid UTF-8: byte 0xE9");
        });
    }
}
