package fusion.topology;

import static fusion.topology.Requests.ask;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SpecificationVersion;
import fusion.calls.CallBudget;
import fusion.calls.CallCapacity;
import fusion.intake.RequestJson;
import fusion.results.FusionResults;
import fusion.results.ResultJson;
import fusion.runtime.DatasetRows;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of result the pipeline writes, rendered by ResultJson, parses as OpenRouter's published SDK types for
 * the fusion tool output (schemas/json/openrouter-fusion-output.schema.json) and as our own full result
 * (fusion-result.schema.json). The results come from the production topology calling the simulator.
 */
class ResultSchemaConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCHEMAS = Path.of("..", "schemas", "json").toAbsolutePath().normalize();
    static final Schema OPENROUTER = schema("openrouter-fusion-output.schema.json");
    static final Schema RESULT = schema("fusion-result.schema.json");

    /** Results by the kind they stand for. */
    private static final Map<String, FusionResult> KINDS = new LinkedHashMap<>();

    @TempDir
    static Path dir;

    /** A schema of schemas/json, its relative $refs resolved in that directory (read from disk, never fetched). */
    static Schema schema(String file) {
        String base = SCHEMAS.toUri().toString();
        return com.networknt.schema.SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, registry -> registry.schemas(iri -> {
                    if (!iri.startsWith(base)) return null;
                    try {
                        return Files.readString(SCHEMAS.resolve(iri.substring(base.length())));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }))
                .getSchema(com.networknt.schema.SchemaLocation.of(base + file));
    }

    static List<String> problems(Schema schema, JsonNode node) {
        return schema.validate(node).stream().map(Object::toString).toList();
    }

    @BeforeAll
    static void runEveryKind() throws Exception {
        try (SimulatedPipeline sim = new SimulatedPipeline()) {
            PipelineDriver p = sim.pipeline;
            p.submit(ask("ok", "Compare Kafka and Pulsar", "sim/alpha", "sim/beta").build());
            p.submit(ask("final-answer", "Is nuclear power worth expanding?", "sim/alpha", "sim/beta").setFinalModel("sim/writer").build());
            p.submit(ask("synthesis-failed", "q", "sim/alpha").setFinalModel("sim/always-402").build());
            p.submit(ask("partial-panel", "q", "sim/alpha", "sim/always-500", "sim/beta").build());
            p.submit(ask("quorum", "q", "sim/alpha", "sim/slow-3000").setQuorum(1).setQuorumGraceMs(0L).build());
            p.submit(ask("degraded-prose-judge", "q", "sim/alpha", "sim/beta").setModel("sim/prose-judge").build());
            p.submit(ask("degraded-judge-500", "q", "sim/alpha", "sim/beta").setModel("sim/always-500").build());
            p.submit(ask("all_panels_failed", "q", "sim/always-500", "sim/always-empty", "sim/always-garbage").build());
            p.submit(ask("insufficient_credits", "q", "sim/always-429", "sim/always-402").build());
            p.submit(ask("rate_limited", "q", "sim/always-500", "sim/always-429").build());
            p.submit(ask("turn-first", "q", "sim/alpha").setTurnId("turn-1").build());
            p.submit(ask("fusion_invocation_capped", "q", "sim/alpha").setTurnId("turn-1").build());
            p.submit(ask("invalid_request", "q", "sim/alpha").setTemperature(3.0).build());
            p.submitJson("invalid-json-field", "{\"request_id\":\"invalid-json-field\",\"prompt\":\"q\",\"temperature\":\"hot\",\"row\":7}");
            for (String id : List.of("ok", "final-answer", "synthesis-failed", "partial-panel", "quorum", "degraded-prose-judge", "degraded-judge-500",
                    "all_panels_failed", "insufficient_credits", "rate_limited", "fusion_invocation_capped", "invalid_request", "invalid-json-field")) {
                KINDS.put(id, p.awaitResult(id));
            }
        }
        CallCapacity broke = new CallCapacity(64, 1).withBudget(new CallBudget(1e-9, Map.of()));
        try (SimulatedPipeline sim = new SimulatedPipeline(PipelineSettings.defaults(), Map.of(), broke)) {
            sim.pipeline.submit(ask("b0", "q", "sim/alpha", "sim/beta").build());
            sim.pipeline.submit(ask("budget_exceeded", "q", "sim/alpha", "sim/beta").build());
            KINDS.put("degraded-judge-over-budget", sim.pipeline.awaitResult("b0"));
            KINDS.put("budget_exceeded", sim.pipeline.awaitResult("budget_exceeded"));
        }
        var request = RequestJson.parse("{\"id\":\"c1\",\"prompt\":\"q\",\"metadata\":{\"batch_id\":\"b-1\"}}");
        KINDS.put("cancelled", FusionResults.cancelled(request, "b-1", 5));
        KINDS.put("unexpected_error", FusionResults.unexpected("u1", request, "state store closed", 5));
        Path twice = Files.writeString(dir.resolve("twice.jsonl"), "{\"id\":\"d\",\"prompt\":\"a\"}\n{\"id\":\"d\",\"prompt\":\"b\"}\n");
        List<FusionResult> answered = new ArrayList<>();
        DatasetRows.read(twice, null, answered);
        KINDS.put("duplicate_request_id", answered.stream().filter(r -> "duplicate_request_id".equals(r.getFailureReason())).findFirst().orElseThrow());
        KINDS.put("rate_limited-second-try", FusionResult.newBuilder(KINDS.get("rate_limited")).setAttempt(2).build());
        // what the web tools leave in a result: sources, and tool calls with their cost in the call ledger
        FusionResult withSources = FusionResult.newBuilder(KINDS.get("ok")).build();
        fusion.results.ResultSources.add(withSources, "sim/alpha", List.of("https://example.org/a", "https://example.org/b"));
        fusion.results.ResultSources.add(withSources, "sim/beta", List.of("https://example.org/a"));
        var panelCall = withSources.getCalls().get(0);
        panelCall.getUsage().setToolCalls(2L);
        panelCall.getUsage().setToolCost(0.0004);
        KINDS.put("web-sources", withSources);
    }

    @AfterAll
    static void clear() {
        KINDS.clear();
    }

    @Test
    @DisplayName("the kinds under test are what they say: ok, degraded, partial panel, every failure_reason")
    void kindsAreWhatTheySay() {
        assertThat(KINDS.get("ok").getAnalysis()).isNotNull();
        assertThat(KINDS.get("partial-panel").getFailedModels()).hasSize(1);
        assertThat(KINDS.get("quorum").getFailedModels()).extracting(f -> f.getReason()).containsExactly("quorum_timeout");
        assertThat(KINDS.get("quorum").getQuorum()).isNotNull();
        assertThat(KINDS.get("degraded-prose-judge").getAnalysis()).isNull();
        assertThat(KINDS.get("degraded-judge-500").getJudgeFailure().getStatusCode()).isEqualTo(500);
        assertThat(KINDS.get("final-answer").getFinalAnswer()).isNotBlank();
        assertThat(KINDS.get("synthesis-failed").getSynthesisFailure()).isNotNull();
        assertThat(KINDS.get("web-sources").getSources()).hasSize(2);
        assertThat(ResultJson.toNode(KINDS.get("web-sources")).at("/usage/panel/tool_calls").asInt()).isEqualTo(2);
        for (String reason : List.of("all_panels_failed", "insufficient_credits", "rate_limited", "fusion_invocation_capped", "unexpected_error",
                "invalid_request", "cancelled", "budget_exceeded", "duplicate_request_id")) {
            assertThat(KINDS.get(reason).getStatus()).as(reason).isEqualTo(ResultStatus.error);
            assertThat(KINDS.get(reason).getFailureReason()).as(reason).isEqualTo(reason);
        }
    }

    @Test
    @DisplayName("every result, degraded and failed ones included, parses as OpenRouter's OutputFusionServerToolItem")
    void everyResultParsesAsOpenRoutersTypes() throws Exception {
        assertEveryKindMatches(OPENROUTER);
    }

    @Test
    @DisplayName("every result matches our published fusion-result.schema.json, field for field")
    void everyResultMatchesOurSchema() throws Exception {
        assertEveryKindMatches(RESULT);
    }

    private static void assertEveryKindMatches(Schema schema) throws Exception {
        for (var kind : KINDS.entrySet()) {
            JsonNode json = JSON.readTree(ResultJson.toJson(kind.getValue()));
            assertThat(problems(schema, json)).as("%s: %s", kind.getKey(), json).isEmpty();
        }
    }

    @Test
    @DisplayName("the schemas refuse what OpenRouter's types refuse: a null status_code, a failed model without error, an analysis missing "
            + "blind_spots, no type")
    void schemasAreNotVacuous() throws Exception {
        ObjectNode partial = (ObjectNode) JSON.readTree(ResultJson.toJson(KINDS.get("partial-panel")));
        ObjectNode nullStatus = partial.deepCopy();
        ((ObjectNode) nullStatus.get("failed_models").get(0)).putNull("status_code");
        ObjectNode noError = partial.deepCopy();
        ((ObjectNode) noError.get("failed_models").get(0)).remove("error");
        ObjectNode noBlindSpots = partial.deepCopy();
        ((ObjectNode) noBlindSpots.get("analysis")).remove("blind_spots");
        ObjectNode noType = partial.deepCopy();
        noType.remove("type");

        for (ObjectNode bad : List.of(nullStatus, noError, noBlindSpots, noType)) {
            assertThat(problems(OPENROUTER, bad)).as("%s", bad).isNotEmpty();
            assertThat(problems(RESULT, bad)).as("%s", bad).isNotEmpty();
        }
        ObjectNode undocumented = partial.deepCopy().put("surprise", 1);
        assertThat(problems(OPENROUTER, undocumented)).as("OpenRouter's SDK ignores fields it does not name").isEmpty();
        assertThat(problems(RESULT, undocumented)).as("ours describes every field we write").isNotEmpty();
    }
}
