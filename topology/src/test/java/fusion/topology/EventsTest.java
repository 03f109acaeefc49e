package fusion.topology;

import static fusion.topology.Requests.ask;
import static org.assertj.core.api.Assertions.assertThat;

import fusion.events.FusionEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The fusion.events topic: each request's progress, keyed by request id, in the order its steps happened. */
class EventsTest {
    static final com.networknt.schema.Schema EVENT = ResultSchemaConformanceTest.schema("fusion-event.schema.json");

    /** Every event matches schemas/json/fusion-event.schema.json. */
    static void conform(List<FusionEvent> events) {
        for (FusionEvent e : events) {
            assertThat(ResultSchemaConformanceTest.problems(EVENT, e.json())).as(e.json().toString()).isEmpty();
        }
    }

    private static List<String> steps(List<FusionEvent> events, String id) {
        return events.stream().filter(e -> e.requestId().equals(id))
                .map(e -> e.model() == null ? e.type() : e.type() + " " + e.model()).toList();
    }

    @Test
    @DisplayName("every request has a panel.added and a panel.completed per panel model, then an analysis.completed, then one final completed")
    void everyStepOfEveryRequest() {
        try (SimulatedPipeline sim = new SimulatedPipeline()) {
            for (int i = 0; i < 3; i++) sim.pipeline.submit(ask("e" + i, "question " + i, "sim/alpha", "sim/beta").build());
            for (int i = 0; i < 3; i++) sim.pipeline.awaitResult("e" + i);

            List<FusionEvent> events = sim.pipeline.events();
            conform(events);
            for (int i = 0; i < 3; i++) {
                List<String> steps = steps(events, "e" + i);
                assertThat(steps).as("e" + i).containsExactlyInAnyOrder("panel.added sim/alpha", "panel.added sim/beta",
                        "panel.completed sim/alpha", "panel.completed sim/beta", "analysis.completed sim/judge", "completed");
                assertThat(steps.subList(0, 2)).allMatch(s -> s.startsWith("panel.added"));
                assertThat(steps.subList(4, 6)).containsExactly("analysis.completed sim/judge", "completed");
            }
            FusionEvent done = events.stream().filter(e -> e.type().equals("completed")).findFirst().orElseThrow();
            assertThat(done.json().path("status").asText()).isEqualTo("ok");
            assertThat(done.json().path("at").isIntegralNumber()).isTrue();
        }
    }

    @Test
    @DisplayName("a panel model that fails gives panel.failed with its status code and reason; a judge that fails gives analysis.failed")
    void failures() {
        try (SimulatedPipeline sim = new SimulatedPipeline()) {
            sim.pipeline.submit(ask("f", "q", "sim/alpha", "sim/always-402").setModel("sim/always-400").build());
            sim.pipeline.awaitResult("f");

            List<FusionEvent> events = sim.pipeline.events();
            conform(events);
            FusionEvent failed = events.stream().filter(e -> e.type().equals(FusionEvent.PANEL_FAILED)).findFirst().orElseThrow();
            assertThat(failed.model()).isEqualTo("sim/always-402");
            assertThat(failed.json().path("status_code").asInt()).isEqualTo(402);
            assertThat(failed.json().path("reason").asText()).isEqualTo("insufficient_credits");
            assertThat(steps(events, "f")).contains("panel.completed sim/alpha", "analysis.failed sim/always-400", "completed");
        }
    }

    @Test
    @DisplayName("an invalid request gets just its completed event, with status error and failure_reason invalid_request")
    void invalidRequest() {
        try (SimulatedPipeline sim = new SimulatedPipeline()) {
            sim.pipeline.submit(ask("bad", "q", "sim/alpha").setTemperature(3.0).build());
            sim.pipeline.awaitResult("bad");

            List<FusionEvent> events = sim.pipeline.events();
            conform(events);
            assertThat(steps(events, "bad")).containsExactly("completed");
            assertThat(events.get(0).json().path("failure_reason").asText()).isEqualTo("invalid_request");
        }
    }

    @Test
    @DisplayName("fusion.events=false: no events are written, and the topology has no events topic")
    void off() {
        PipelineSettings settings = PipelineSettings.defaults().withEvents(false);
        try (SimulatedPipeline sim = new SimulatedPipeline(settings, Map.of())) {
            sim.pipeline.submit(ask("quiet", "q", "sim/alpha", "sim/beta").build());
            sim.pipeline.awaitResult("quiet");
            sim.pipeline.settle(Duration.ofMillis(200));

            assertThat(sim.pipeline.events()).isEmpty();
            assertThat(FusionTopology.build(Topics.withDefaultPrefix(), settings, sim.client, new fusion.calls.CallCapacity(4, 4))
                    .describe().toString()).doesNotContain(Topics.withDefaultPrefix().events().name());
            assertThat(Topics.withDefaultPrefix().used(false, false)).doesNotContain("fusion.events");
            assertThat(Topics.withDefaultPrefix().used(false, true)).contains("fusion.events");
        }
    }

    @Test
    @DisplayName("the event schema refuses what a consumer could not rely on: no request_id, an unknown type, a panel event without its model")
    void schemaRefuses() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(ResultSchemaConformanceTest.problems(EVENT, json.readTree("{\"type\":\"completed\",\"at\":1,\"status\":\"ok\",\"responses\":1,\"failed_models\":0}"))).isNotEmpty();
        assertThat(ResultSchemaConformanceTest.problems(EVENT, json.readTree("{\"type\":\"panel.started\",\"request_id\":\"r\",\"at\":1}"))).isNotEmpty();
        assertThat(ResultSchemaConformanceTest.problems(EVENT, json.readTree("{\"type\":\"panel.added\",\"request_id\":\"r\",\"at\":1,\"index\":0,\"panel_size\":2}"))).isNotEmpty();
        assertThat(ResultSchemaConformanceTest.problems(EVENT, json.readTree("{\"type\":\"panel.added\",\"request_id\":\"r\",\"model\":\"m\",\"at\":1,\"index\":0,\"panel_size\":2}"))).isEmpty();
    }
}
