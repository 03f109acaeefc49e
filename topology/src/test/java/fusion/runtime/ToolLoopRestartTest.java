package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.calls.CallCapacity;
import fusion.model.ChatClient;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.model.OpenAiChatClient;
import fusion.model.ProviderRoutes;
import fusion.model.tools.ToolLoop;
import fusion.model.tools.ToolSteps;
import fusion.schema.FusionResult;
import fusion.simulator.Simulator;
import fusion.simulator.SimulatorConfig;
import fusion.topology.PipelineSettings;
import fusion.topology.Topics;
import fusion.web.ToolResult;
import fusion.web.WebSource;
import fusion.web.WebTools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tool loop across the death of its process: the next one resumes each loop, it does not pay for its finished turns again. */
class ToolLoopRestartTest {
    private static final int REQUESTS = 8;

    @TempDir
    Path dir;

    /** Sees every turn a tool loop sends, the way a provider's log would. */
    static final class Turns implements ChatClient {
        final ChatClient http;
        final List<ChatRequest> sent = new CopyOnWriteArrayList<>();
        /** The first question of each panel conversation whose first turn asked for tools. */
        final Set<String> firstTurnsAskingForTools = ConcurrentHashMap.newKeySet();
        final java.util.concurrent.atomic.AtomicInteger panelFirstTurnsDone = new java.util.concurrent.atomic.AtomicInteger();

        Turns(ChatClient http) {
            this.http = http;
        }

        @Override
        public CompletableFuture<ChatOutcome> complete(ChatRequest request) {
            sent.add(request);
            boolean panelFirstTurn = !request.functionTools().isEmpty() && request.messages().size() == 1;
            return http.complete(request).thenApply(o -> {
                if (panelFirstTurn) panelFirstTurnsDone.incrementAndGet();
                if (o.wantsTools() && request.messages().stream().noneMatch(m -> m.role().equals("tool"))) {
                    firstTurnsAskingForTools.add(request.model() + " " + request.messages().get(request.messages().size() - 1).content());
                }
                return o;
            });
        }
    }

    /** Web tools that hang, as a process about to die does: nothing they started ever finishes. */
    static final class HangingWeb implements WebTools {
        final CountDownLatch never = new CountDownLatch(1);
        final List<String> started = new CopyOnWriteArrayList<>();

        @Override public boolean searchAvailable() { return true; }

        @Override public ToolResult search(String query) { return hang("search " + query); }

        @Override public ToolResult fetch(String url) { return hang("fetch " + url); }

        private ToolResult hang(String call) {
            started.add(call);
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ToolResult.refusal("the process died");
        }
    }

    static final class Web implements WebTools {
        @Override public boolean searchAvailable() { return true; }

        @Override public ToolResult search(String query) {
            String url = "https://search.example/" + query.replace(' ', '-');
            return new ToolResult("1. " + query + " " + url, List.of(new WebSource(url, query)), false);
        }

        @Override public ToolResult fetch(String url) {
            return new ToolResult("text of " + url, List.of(new WebSource(url, null)), false);
        }
    }

    @Test
    @DisplayName("a process dies mid-loop; the next one, on the same state, resumes each loop from its journal: one result each, no finished turn sent again")
    void crashMidLoopResumes() throws Exception {
        Path journal = dir.resolve("tool-steps.jsonl");
        try (KafkaClusterTestKit kafka = KafkaTestCluster.start();
             Simulator simulator = Simulator.start(SimulatorConfig.fromProperties(Map.of("fusion.simulator.latency-ms", "10")));
             OpenAiChatClient http = new OpenAiChatClient(ProviderRoutes.single("simulator", simulator.baseUrl(), null), Duration.ofSeconds(30))) {
            ProviderRoutes routes = ProviderRoutes.single("simulator", simulator.baseUrl(), null);
            Topics topics = Topics.withDefaultPrefix();
            var settings = FusionApp.Settings.embedded(kafka.bootstrapServers(), dir.resolve("streams"));

            Turns firstTurns = new Turns(http);
            HangingWeb hanging = new HangingWeb();
            ToolLoop firstLoop = new ToolLoop(firstTurns, routes, hanging, ToolSteps.inFile(journal, 1000));
            FusionApp first = FusionApp.start(settings, topics, PipelineSettings.defaults(), firstLoop, new CallCapacity(256, 64));
            CallRestartTest.produce(kafka.bootstrapServers(), topics, REQUESTS, "loop-", i -> "Should city " + i + " adopt congestion pricing?");
            // every panel call's first turn is answered; those that asked for tools hang in them
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> firstTurns.panelFirstTurnsDone.get() >= REQUESTS * 2
                    && hanging.started.size() >= firstTurns.firstTurnsAskingForTools.size()
                    && !firstTurns.firstTurnsAskingForTools.isEmpty());
            first.close();

            Turns secondTurns = new Turns(http);
            try (ToolLoop secondLoop = new ToolLoop(secondTurns, routes, new Web(), ToolSteps.inFile(journal, 1000));
                 FusionApp second = FusionApp.start(settings, topics, PipelineSettings.defaults(), secondLoop, new CallCapacity(256, 64))) {
                Map<String, FusionResult> results = CommittedResults.oneOkEach(kafka.bootstrapServers(), topics.results().name(),
                        IntStream.range(0, REQUESTS).mapToObj(i -> "loop-" + i).collect(Collectors.toSet()), Duration.ofSeconds(60));

                assertThat(results.values().stream().filter(r -> !r.getSources().isEmpty()))
                        .as("the resumed loops ran their tools and list the sources").isNotEmpty();
                List<String> firstTurnsSentAgain = secondTurns.sent.stream()
                        .filter(r -> r.messages().stream().noneMatch(m -> m.role().equals("tool")))
                        .map(r -> r.model() + " " + r.messages().get(r.messages().size() - 1).content())
                        .filter(firstTurns.firstTurnsAskingForTools::contains)
                        .toList();
                assertThat(firstTurnsSentAgain).as("first turns finished before the crash are replayed, not sent").isEmpty();
            } finally {
                hanging.never.countDown();
                firstLoop.close();
            }
        }
    }
}
