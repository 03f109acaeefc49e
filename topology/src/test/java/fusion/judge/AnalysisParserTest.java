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
    @DisplayName("a partly invalid verdict keeps every valid entry and names each dropped one in the warnings")
    void keepsValidEntries() {
        var parsed = AnalysisParser.parse("""
                {"consensus":["c1", 7, "c2"],
                 "contradictions":[{"topic":"t","stances":[{"model":"Response A","stance":"yes"},{"model":"Response Z","stance":"no"}]},
                                   {"topic":"u","stances":[{"model":"A","stance":"yes"},{"model":"B","stance":"no"},{"model":"Q","stance":"maybe"}]}],
                 "partial_coverage":[{"models":["Response A","Response Y"],"point":"p"},{"models":["Response X"],"point":"gone"}],
                 "unique_insights":[{"model":"Response B","insight":"i"},{"model":"Response B"}],
                 "blind_spots":"none"}""", LABELS);

        assertThat(parsed.reason()).isNull();
        var a = parsed.analysis();
        assertThat(a.getConsensus()).containsExactly("c1", "c2");
        // the first contradiction is left with one real side, the second keeps its two
        assertThat(a.getContradictions()).singleElement().satisfies(c -> {
            assertThat(c.getTopic()).isEqualTo("u");
            assertThat(c.getStances()).extracting(s -> s.getModel()).containsExactly("x/alpha", "y/beta");
        });
        assertThat(a.getPartialCoverage()).singleElement().satisfies(p -> assertThat(p.getModels()).containsExactly("x/alpha"));
        assertThat(a.getUniqueInsights()).extracting(u -> u.getInsight()).containsExactly("i");
        assertThat(a.getBlindSpots()).isEmpty();
        assertThat(parsed.warnings()).containsExactly(
                "consensus[1] is missing or not a string: dropped",
                "contradictions[0].stances[1].model is 'Response Z', which is none of [Response A, Response B], leaving 1 stance in contradictions[0]: dropped",
                "contradictions[1].stances[2].model is 'Q', which is none of [Response A, Response B]: dropped",
                "partial_coverage[0].models[1] is 'Response Y', which is none of [Response A, Response B]: dropped",
                "partial_coverage[1].models[0] is 'Response X', which is none of [Response A, Response B], leaving no model in partial_coverage[1]: dropped",
                "unique_insights[1].insight is missing or not a string: dropped",
                "blind_spots is string, not an array");
    }

    @Test
    @DisplayName("a valid verdict has no warnings; an empty one (nothing to report) is still an analysis")
    void noWarnings() {
        assertThat(AnalysisParser.parse("{\"consensus\":[\"c\"]}", LABELS).warnings()).isEmpty();
        var empty = AnalysisParser.parse("{\"consensus\":[],\"contradictions\":[]}", LABELS);
        assertThat(empty.analysis()).isNotNull();
        assertThat(empty.warnings()).isEmpty();
    }

    @Test
    @DisplayName("JSON of another shape, a wrong type, or an unknown label with nothing valid left → judge_schema_mismatch naming the path")
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
