package fusion.topology;

import fusion.schema.FusionRequest;
import fusion.schema.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/** Requests for tests. */
final class Requests {
    private Requests() {}

    static FusionRequest.Builder ask(String id, String question, String... panel) {
        return FusionRequest.newBuilder()
                .setRequestId(id)
                .setMessages(new ArrayList<>(List.of(new Message("user", question))))
                .setAnalysisModels(new ArrayList<>(List.of(panel)))
                .setModel("sim/judge")
                .setTools(new ArrayList<>())
                .setMetadata(new HashMap<>());
    }
}
