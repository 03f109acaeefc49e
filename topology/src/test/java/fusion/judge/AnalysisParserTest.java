package fusion.judge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AnalysisParserTest {
    private static final Map<String, String> LABELS = Map.of("Response A", "x/alpha", "Response B", "y/beta");

    @Test
    @DisplayName("labels in every model field are mapped back to model names")
    void mapsLabels() {
        var parsed = AnalysisParser.parse("""
                {"consensus":["c1"],"contradictions":[{"topic":"t","stances":[{"model":"Response A","stance":"yes"},{"model":"B","stance":"no"}]}],
                 "partial_coverage":[{"models":["Response A","response b"],"point":"p"}],
                 "unique_insights":[{"model":"Response B","insight":"i"}],"blind_spots":["b1"]}""", LABELS);

        assertThat(parsed.reason()).isNull();
        var a = parsed.analysis();
        assertThat(a.getConsensus()).containsExactly("c1");
        assertThat(a.getContradictions().get(0).getStances()).extracting(s -> s.getModel()).containsExactly("x/alpha", "y/beta");
        assertThat(a.getPartialCoverage().get(0).getModels()).containsExactly("x/alpha", "y/beta");
        assertThat(a.getUniqueInsights().get(0).getModel()).isEqualTo("y/beta");
        assertThat(a.getBlindSpots()).containsExactly("b1");
    }

    @Test
    @DisplayName("JSON in a code fence or after a sentence is still read; missing keys mean nothing to report")
    void fencedAndPartial() {
        var fenced = AnalysisParser.parse("Here is the analysis:\n```json\n{\"consensus\":[\"c\"]}\n```", LABELS);
        var inline = AnalysisParser.parse("Sure. {\"blind_spots\":[\"cost\"]} Hope that helps.", LABELS);

        assertThat(fenced.analysis().getConsensus()).containsExactly("c");
        assertThat(fenced.analysis().getContradictions()).isEmpty();
        assertThat(inline.analysis().getBlindSpots()).containsExactly("cost");
    }

    @Test
    @DisplayName("prose → judge_not_valid_json")
    void prose() {
        var parsed = AnalysisParser.parse("The responses broadly agree that it depends.", LABELS);

        assertThat(parsed.analysis()).isNull();
        assertThat(parsed.reason()).isEqualTo("judge_not_valid_json");
        assertThat(parsed.message()).contains("broadly agree");
    }

    @Test
    @DisplayName("JSON of another shape, a wrong type, or an unknown label → judge_schema_mismatch naming the path")
    void mismatches() {
        assertThat(AnalysisParser.parse("{\"summary\":\"s\",\"score\":7}", LABELS).reason()).isEqualTo("judge_schema_mismatch");
        var wrongType = AnalysisParser.parse("{\"consensus\":\"everything\"}", LABELS);
        assertThat(wrongType.reason()).isEqualTo("judge_schema_mismatch");
        assertThat(wrongType.message()).contains("consensus is string, not an array");
        var unknown = AnalysisParser.parse("{\"unique_insights\":[{\"model\":\"Response Z\",\"insight\":\"i\"}]}", LABELS);
        assertThat(unknown.reason()).isEqualTo("judge_schema_mismatch");
        assertThat(unknown.message()).contains("unique_insights[0].model is 'Response Z'");
    }
}
