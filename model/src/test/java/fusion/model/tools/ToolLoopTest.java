package fusion.model.tools;

import static fusion.model.tools.ScriptedModel.answer;
import static fusion.model.tools.ScriptedModel.asks;
import static fusion.model.tools.ScriptedModel.fetch;
import static fusion.model.tools.ScriptedModel.search;
import static fusion.model.tools.ScriptedModel.toolMessages;
import static fusion.model.tools.ScriptedModel.toolTurns;
import static org.assertj.core.api.Assertions.assertThat;

import fusion.model.ChatMessage;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.FailureKind;
import fusion.model.ProviderConfig;
import fusion.model.ProviderRoutes;
import fusion.web.ToolResult;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ToolLoopTest {
    private static final String MODEL = "ollama/llama3";
    private static final ProviderRoutes LOCAL = routes(false);

    private static ProviderRoutes routes(boolean serverTools) {
        return new ProviderRoutes(List.of(new ProviderConfig("local", URI.create("http://127.0.0.1:1/v1"), null, null, Map.of(),
                List.of(), false, true, serverTools)), "local");
    }

    private static ChatRequest ask(Integer maxToolCalls) {
        return ChatRequest.of(MODEL, List.of(ChatMessage.user("What changed in Kafka 4.3?")))
                .withTools(List.of("web_search", "web_fetch"), maxToolCalls);
    }

    private static ChatOutcome run(ToolLoop loop, ChatRequest request) throws Exception {
        return loop.complete(request).get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("a model that always asks for tools stops after max_tool_calls steps and is asked once more, with no tools, for its answer")
    void boundAndForcedFinalAnswer() throws Exception {
        ScriptedModel model = new ScriptedModel(r -> r.functionTools().isEmpty() ? answer(r, "final answer")
                : asks(r, fetch("call-" + toolTurns(r), "https://example.org/" + toolTurns(r))));
        CountingWebTools web = new CountingWebTools(true);
        ChatOutcome outcome;
        try (ToolLoop loop = new ToolLoop(model, LOCAL, web, ToolSteps.NONE)) {
            outcome = run(loop, ask(3));
        }

        assertThat(outcome.succeeded()).isTrue();
        assertThat(outcome.content()).isEqualTo("final answer");
        assertThat(model.received).hasSize(4);
        assertThat(model.received.subList(0, 3)).allSatisfy(r -> assertThat(r.functionTools()).containsExactly("web_search", "web_fetch"));
        ChatRequest last = model.received.get(3);
        assertThat(last.functionTools()).isEmpty();
        assertThat(last.messages().get(last.messages().size() - 1)).isEqualTo(ChatMessage.user(ToolLoop.FINAL_TURN));
        assertThat(web.fetched).containsExactly("https://example.org/0", "https://example.org/1", "https://example.org/2");
        assertThat(outcome.usage().toolCalls()).isEqualTo(3);
        assertThat(outcome.usage().cost()).isCloseTo(3 * 0.002 + 0.001, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(outcome.usage().toolCost()).isCloseTo(3 * 0.002, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(outcome.attempts()).isEqualTo(4);
        assertThat(outcome.sources()).containsExactly("https://example.org/0", "https://example.org/1", "https://example.org/2");
        assertThat(outcome.toolCalls()).isEmpty();
    }

    @Test
    @DisplayName("without a bound on the request, the spec's default of 8 steps applies")
    void defaultBound() throws Exception {
        ScriptedModel model = new ScriptedModel(r -> r.functionTools().isEmpty() ? answer(r, "done")
                : asks(r, search("s" + toolTurns(r), "kafka " + toolTurns(r))));
        try (ToolLoop loop = new ToolLoop(model, LOCAL, new CountingWebTools(true), ToolSteps.NONE)) {
            run(loop, ask(null));
        }
        assertThat(model.received).hasSize(ToolLoop.DEFAULT_MAX_TOOL_CALLS + 1);
    }

    @Test
    @DisplayName("parallel tool calls in one turn all run, at once, and each is answered by a tool message naming its call id")
    void parallelToolCalls() throws Exception {
        CountDownLatch both = new CountDownLatch(2);
        CountingWebTools web = new CountingWebTools(true) {
            @Override
            public ToolResult fetch(String url) {
                both.countDown();
                try {
                    // each call waits for the other: only calls run side by side get past this
                    if (!both.await(10, TimeUnit.SECONDS)) return ToolResult.refusal("ran alone");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.fetch(url);
            }
        };
        ScriptedModel model = new ScriptedModel(r -> toolTurns(r) == 0
                ? asks(r, fetch("a", "https://example.org/a"), fetch("b", "https://example.org/b"), search("c", "kafka streams"))
                : answer(r, "answered from three results"));
        ChatOutcome outcome;
        try (ToolLoop loop = new ToolLoop(model, LOCAL, web, ToolSteps.NONE)) {
            outcome = run(loop, ask(4));
        }

        ChatRequest second = model.received.get(1);
        assertThat(toolMessages(second)).extracting(ChatMessage::toolCallId).containsExactly("a", "b", "c");
        assertThat(toolMessages(second)).extracting(ChatMessage::content)
                .containsExactly("the page at https://example.org/a", "the page at https://example.org/b",
                        "1. kafka streams - https://example.org/search/kafka-streams");
        ChatMessage request = second.messages().get(1);
        assertThat(request.role()).isEqualTo("assistant");
        assertThat(request.toolCalls()).extracting(fusion.model.ToolCall::id).containsExactly("a", "b", "c");
        assertThat(outcome.usage().toolCalls()).isEqualTo(3);
        assertThat(outcome.sources()).containsExactlyInAnyOrder("https://example.org/a", "https://example.org/b",
                "https://example.org/search/kafka-streams");
    }

    @Test
    @DisplayName("a repeated identical tool call is answered from the first result, not run again")
    void repeatedCallServedFromFirstResult() throws Exception {
        ScriptedModel model = new ScriptedModel(r -> toolTurns(r) < 2
                ? asks(r, toolTurns(r) == 0 ? fetch("first", "https://example.org/x")
                        : new fusion.model.ToolCall("again", "web_fetch", "{ \"url\" : \"https://example.org/x\" }"))
                : answer(r, "done"));
        CountingWebTools web = new CountingWebTools(true);
        ChatOutcome outcome;
        try (ToolLoop loop = new ToolLoop(model, LOCAL, web, ToolSteps.NONE)) {
            outcome = run(loop, ask(5));
        }

        assertThat(web.fetched).containsExactly("https://example.org/x");
        assertThat(toolMessages(model.received.get(2))).extracting(ChatMessage::content)
                .containsExactly("the page at https://example.org/x", "the page at https://example.org/x");
        assertThat(toolMessages(model.received.get(2))).extracting(ChatMessage::toolCallId).containsExactly("first", "again");
        assertThat(outcome.usage().toolCalls()).isEqualTo(1);
        assertThat(outcome.sources()).containsExactly("https://example.org/x");
    }

    @Test
    @DisplayName("a loop issued again after a crash replays the turns and tool calls it had finished, paying for none of them twice")
    void crashMidLoopResumes() throws Exception {
        ToolSteps journal = ToolSteps.inMemory(1000);
        crashAndResume(journal, journal);
    }

    @Test
    @DisplayName("after the process died, a loop issued again by the next process replays from the journal file in the state directory")
    void crashOfTheProcessResumesFromTheJournalFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("tool-steps.jsonl");
        crashAndResume(ToolSteps.inFile(file, 1000), () -> {
            try {
                // the crash cut the last line short
                java.nio.file.Files.writeString(file, "{\"key\":\"turn:abc\",\"tu", java.nio.file.StandardOpenOption.APPEND);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return ToolSteps.inFile(file, 1000);
        });
    }

    private static void crashAndResume(ToolSteps journal, ToolSteps afterCrash) throws Exception {
        crashAndResume(journal, () -> afterCrash);
    }

    private static void crashAndResume(ToolSteps journal, java.util.function.Supplier<ToolSteps> afterCrash) throws Exception {
        java.util.function.Function<ChatRequest, ChatOutcome> script = r -> toolTurns(r) < 3
                ? asks(r, fetch("f" + toolTurns(r), "https://example.org/" + toolTurns(r)))
                : answer(r, "answer after three pages");
        // the first owner dies as its third turn is on the wire: that turn never comes back
        ScriptedModel dying = new ScriptedModel(r -> toolTurns(r) == 2 ? ChatOutcome.failed(r.model(), FailureKind.NETWORK_ERROR, null,
                "connection reset: the process died", 0) : script.apply(r));
        CountingWebTools web = new CountingWebTools(true);
        try (ToolLoop first = new ToolLoop(dying, LOCAL, web, journal)) {
            assertThat(run(first, ask(8)).succeeded()).isFalse();
        }
        assertThat(dying.received).hasSize(3);
        assertThat(web.fetched).hasSize(2);

        ScriptedModel resumed = new ScriptedModel(script);
        ChatOutcome outcome;
        try (ToolLoop second = new ToolLoop(resumed, LOCAL, web, afterCrash.get())) {
            outcome = run(second, ask(8));
        }

        // only the turn that never completed, the one tool call after it and the answer go out again
        assertThat(resumed.received).hasSize(2);
        assertThat(toolTurns(resumed.received.get(0))).isEqualTo(2);
        assertThat(web.fetched).containsExactly("https://example.org/0", "https://example.org/1", "https://example.org/2");
        assertThat(outcome.content()).isEqualTo("answer after three pages");
        // the result still counts what the whole call cost: the two replayed turns were paid for once, by the first owner
        assertThat(outcome.usage().toolCalls()).isEqualTo(3);
        assertThat(outcome.usage().cost()).isCloseTo(3 * 0.002 + 0.001, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(outcome.sources()).hasSize(3);
    }

    @Test
    @DisplayName("without a search backend only web_fetch is offered; a call asking for no tools, or whose provider runs them, passes through")
    void whatIsOffered() throws Exception {
        ScriptedModel model = new ScriptedModel(r -> answer(r, "plain"));
        try (ToolLoop loop = new ToolLoop(model, LOCAL, new CountingWebTools(false), ToolSteps.NONE)) {
            run(loop, ask(2));
            run(loop, ask(2).withServerTools(List.of()));
        }
        try (ToolLoop loop = new ToolLoop(model, routes(true), new CountingWebTools(true), ToolSteps.NONE)) {
            run(loop, ask(2));
        }
        assertThat(model.received.get(0).functionTools()).containsExactly("web_fetch");
        assertThat(model.received.get(0).serverTools()).isEmpty();
        assertThat(model.received.get(1).functionTools()).isEmpty();
        assertThat(model.received.get(1).serverTools()).isEmpty();
        assertThat(model.received.get(2).functionTools()).isEmpty();
        assertThat(model.received.get(2).serverTools()).containsExactly("web_search", "web_fetch");
        assertThat(model.received.get(2).maxToolCalls()).isEqualTo(2);
    }

    @Test
    @DisplayName("a malformed or unknown tool call gets an error the model can read, and the loop goes on")
    void malformedCalls() throws Exception {
        ScriptedModel model = new ScriptedModel(r -> toolTurns(r) == 0
                ? asks(r, new fusion.model.ToolCall("x", "web_fetch", "{not json"), new fusion.model.ToolCall("y", "rm_rf", "{}"))
                : answer(r, "ok"));
        CountingWebTools web = new CountingWebTools(true);
        ChatOutcome outcome;
        try (ToolLoop loop = new ToolLoop(model, LOCAL, web, ToolSteps.NONE)) {
            outcome = run(loop, ask(2));
        }
        assertThat(outcome.content()).isEqualTo("ok");
        assertThat(toolMessages(model.received.get(1))).extracting(ChatMessage::content)
                .allSatisfy(c -> assertThat(c).startsWith("error: "));
        assertThat(web.fetched).isEmpty();
        assertThat(outcome.usage().toolCalls()).isZero();
    }

    /** A model whose turns complete only when the test says so. */
    private static final class HeldModel implements fusion.model.ChatClient {
        final List<ChatRequest> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<java.util.concurrent.CompletableFuture<ChatOutcome>> pending = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public java.util.concurrent.CompletableFuture<ChatOutcome> complete(ChatRequest request) {
            received.add(request);
            var f = new java.util.concurrent.CompletableFuture<ChatOutcome>();
            pending.add(f);
            return f;
        }
    }

    @Test
    @DisplayName("a loop issued again while its first run is still on the wire (its task moved) waits for the same turn instead of sending it twice")
    void reissuedWhileInFlightJoinsTheTurn() throws Exception {
        HeldModel model = new HeldModel();
        try (ToolLoop loop = new ToolLoop(model, LOCAL, new CountingWebTools(true), ToolSteps.inMemory(100))) {
            var first = loop.complete(ask(3));
            var second = loop.complete(ask(3));
            assertThat(model.received).hasSize(1);

            model.pending.get(0).complete(answer(model.received.get(0), "one answer"));

            assertThat(first.get(10, TimeUnit.SECONDS).content()).isEqualTo("one answer");
            assertThat(second.get(10, TimeUnit.SECONDS).content()).isEqualTo("one answer");
        }
        assertThat(model.received).hasSize(1);
    }

    @Test
    @DisplayName("once its caller gives up on the call (its deadline passed), the loop sends no further turn")
    void givenUpLoopStops() throws Exception {
        HeldModel model = new HeldModel();
        try (ToolLoop loop = new ToolLoop(model, LOCAL, new CountingWebTools(true), ToolSteps.NONE)) {
            var call = loop.complete(ask(3));
            call.cancel(false);
            model.pending.get(0).complete(asks(model.received.get(0), fetch("a", "https://example.org/a")));
        }
        assertThat(model.received).hasSize(1);
    }
}
