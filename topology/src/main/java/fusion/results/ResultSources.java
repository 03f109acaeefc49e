package fusion.results;

import fusion.schema.FusionResult;
import fusion.schema.Source;
import java.util.ArrayList;
import java.util.List;

/** A result's {@code sources[]}: one entry per URL across the whole run, each naming the models that used it. */
public final class ResultSources {
    private ResultSources() {}

    /** Adds what {@code model}'s call used: a URL already listed gains the model, a new one goes at the end. */
    public static void add(FusionResult result, String model, List<String> urls) {
        if (urls.isEmpty()) return;
        List<Source> sources = result.getSources() == null ? new ArrayList<>() : new ArrayList<>(result.getSources());
        for (String url : urls) {
            Source existing = sources.stream().filter(s -> s.getUrl().equals(url)).findFirst().orElse(null);
            if (existing == null) {
                sources.add(new Source(url, new ArrayList<>(List.of(model))));
            } else if (!existing.getModels().contains(model)) {
                List<String> models = new ArrayList<>(existing.getModels());
                models.add(model);
                existing.setModels(models);
            }
        }
        result.setSources(sources);
    }
}
