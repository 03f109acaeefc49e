package fusion.bench;

import fusion.judge.AnalysisParser;
import fusion.judge.JudgePrompt;
import fusion.judge.ModelAnswer;
import fusion.model.ChatClient;
import fusion.model.ChatMessage;
import fusion.model.ChatOutcome;
import fusion.model.ChatRequest;
import fusion.schema.FusionRequest;
import fusion.schema.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The benchmark's requests, and one fusion run done directly with a client (no Kafka), for the baselines. */
final class BenchRequests {
    private BenchRequests() {}

    static FusionRequest request(String scenario, int i) {
        return FusionRequest.newBuilder()
                .setRequestId("bench-" + scenario + "-" + i)
                .setMessages(new ArrayList<>(List.of(new Message("user", "Question " + i + ": compare approach A with approach B for workload " + i))))
                .setAnalysisModels(new ArrayList<>(Scenario.PANEL))
                .setModel(Scenario.JUDGE)
                .setTools(new ArrayList<>())
                .setMetadata(new HashMap<>())
                .build();
    }

    /** Outcome of a direct run: whether the judge's analysis parsed. */
    record Direct(boolean analysed, String judgeFailure) {}

    /** The panel in parallel, then the judge on the same prompt the pipeline uses. */
    static CompletableFuture<Direct> fuse(ChatClient client, FusionRequest request) {
        List<ChatMessage> messages = List.of(ChatMessage.user(request.getMessages().get(0).getContent()));
        List<CompletableFuture<ChatOutcome>> panel = new ArrayList<>();
        for (String model : request.getAnalysisModels()) panel.add(client.complete(ChatRequest.of(model, messages)));
        return CompletableFuture.allOf(panel.toArray(CompletableFuture[]::new)).thenCompose(v -> {
            List<ModelAnswer> answers = new ArrayList<>();
            for (CompletableFuture<ChatOutcome> f : panel) {
                ChatOutcome o = f.join();
                if (o.succeeded()) answers.add(new ModelAnswer(o.model(), o.content()));
            }
            JudgePrompt prompt = JudgePrompt.build(request, answers);
            return client.complete(ChatRequest.of(request.getModel(), prompt.messages()).withTemperature(0.0)
                            .withResponseFormat(prompt.responseFormat()))
                    .thenApply(judge -> new Direct(
                            judge.succeeded() && AnalysisParser.parse(judge.content(), prompt.labels()).analysis() != null,
                            judge.succeeded() ? null : judge.failure().wireName() + " " + judge.statusCode() + " " + judge.errorMessage()));
        });
    }
}
