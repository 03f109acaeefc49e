package fusion.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The simulator's panel answers differ in substance, and its judge's analysis is derived from them: change one
 * answer and the field that depends on it changes.
 */
class SimulatedAnalysisTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENERGY = "Should a country with a 40% coal grid expand nuclear power or go all-in on renewables plus storage? "
            + "Compare cost, build time, land use, and grid reliability.";
    private static final List<String> QUESTIONS = List.of(ENERGY,
            "Survey the strongest arguments for and against a carbon tax. Where do experts disagree?",
            "Compare PostgreSQL with row-level security against DynamoDB single-table design: cost, operational risk, migrations, and failure modes.",
            "What does the research say about the productivity of fully remote versus hybrid versus in-office software teams?",
            "Is it worth learning to play the cello as an adult?");
    private static final List<String> MODELS = List.of("sim/alpha", "sim/beta", "sim/gamma", "sim/delta");

    private static String answer(String model, String question) {
        return SimulatedAnswers.panel(model, question, question.hashCode(), (model + "\n" + question).hashCode() * 0x9E3779B97F4A7C15L);
    }

    private static List<String> bullets(String answer) {
        return answer.lines().filter(l -> l.startsWith("- ")).toList();
    }

    private static String aspectOf(String bullet) {
        return bullet.substring(2, bullet.indexOf(':'));
    }

    private static JsonNode judge(String question, String... answers) throws Exception {
        StringBuilder prompt = new StringBuilder("# Question\n").append(question).append("\n\n# Panel responses\n");
        for (int i = 0; i < answers.length; i++) prompt.append("\n## Response ").append((char) ('A' + i)).append('\n').append(answers[i]).append('\n');
        prompt.append("\n# Output\nReturn JSON.");
        return JSON.readTree(SimulatedAnswers.judge(prompt.toString()));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    @DisplayName("panel answers to one prompt differ in the aspects they cover, the stances they take and the figures they give")
    void answersDiffer() {
        Set<Set<String>> aspectSets = new HashSet<>();
        Set<String> distinctBullets = new HashSet<>();
        int bulletCount = 0;
        for (String q : QUESTIONS) {
            for (String m : MODELS) {
                String a = answer(m, q);
                assertThat(a).as("deterministic per (model, prompt)").isEqualTo(answer(m, q));
                assertThat(bullets(a)).hasSizeGreaterThanOrEqualTo(2);
                aspectSets.add(new HashSet<>(bullets(a).stream().map(SimulatedAnalysisTest::aspectOf).toList()));
                distinctBullets.addAll(bullets(a));
                bulletCount += bullets(a).size();
            }
        }
        assertThat(aspectSets).as("models cover different aspects").hasSizeGreaterThan(QUESTIONS.size());
        assertThat(distinctBullets.size()).as("stances and figures differ between models").isGreaterThan(bulletCount / 2);
    }

    @Test
    @DisplayName("the aspects a question names are covered, in the question's domain: energy answers speak of cost and build time")
    void domainAndAskedAspects() {
        List<String> aspects = MODELS.stream().flatMap(m -> bullets(answer(m, ENERGY)).stream()).map(SimulatedAnalysisTest::aspectOf).toList();

        assertThat(aspects).contains("Cost", "Build time", "Land use", "Grid reliability");
        assertThat(answer("sim/alpha", "Is it worth learning to play the cello as an adult?")).doesNotContain("MWh");
    }

    @Test
    @DisplayName("from real panel answers: consensus, contradictions and blind spots say what the answers said and left out")
    void fromRealAnswers() throws Exception {
        int contradictions = 0;
        Set<String> topics = new HashSet<>();
        Set<String> blindSpots = new HashSet<>();
        for (String q : QUESTIONS) {
            String[] answers = MODELS.stream().map(m -> answer(m, q)).toArray(String[]::new);
            JsonNode analysis = judge(q, answers);
            for (JsonNode c : analysis.get("contradictions")) {
                contradictions++;
                topics.add(c.get("topic").asText());
                Set<String> stances = new HashSet<>();
                for (JsonNode s : c.get("stances")) {
                    String answer = answers[s.get("model").asText().charAt("Response ".length()) - 'A'];
                    assertThat(answer).as("a stance is the model's own words").contains(s.get("stance").asText());
                    stances.add(s.get("stance").asText().replaceAll("\\d+", "#"));
                }
                assertThat(stances).as("a contradiction has at least two positions").hasSizeGreaterThanOrEqualTo(2);
            }
            for (String point : texts(analysis.get("consensus"))) {
                String aspect = point.substring(0, point.indexOf(':'));
                assertThat(answers).as("every answer covered " + aspect).allSatisfy(a -> assertThat(a).contains("- " + aspect + ": "));
            }
            for (String blind : texts(analysis.get("blind_spots"))) {
                String aspect = blind.substring(0, blind.indexOf(':'));
                assertThat(answers).as("no answer covered " + aspect).allSatisfy(a -> assertThat(a).doesNotContain("- " + aspect + ": "));
                blindSpots.add(blind);
            }
        }
        assertThat(contradictions).isPositive();
        assertThat(topics).as("contradictions are about different aspects, not one canned topic").hasSizeGreaterThan(2);
        assertThat(blindSpots).as("blind spots differ by question").hasSizeGreaterThan(2);
    }

    private static final String A = "(simulated answer from a)\n- Cost: new nuclear costs about 150 dollars per MWh, well above wind and solar.\n"
            + "- Build time: nuclear takes about 12 years from decision to power.\n- Land use: solar and wind need about 20 times the land of nuclear.";
    private static final String B = "(simulated answer from b)\n- Cost: new nuclear costs about 130 dollars per MWh, well above wind and solar.\n"
            + "- Build time: nuclear takes about 12 years from decision to power.";
    private static final String C = "(simulated answer from c)\n- Cost: new nuclear costs about 140 dollars per MWh, well above wind and solar.\n"
            + "- Build time: nuclear takes about 12 years from decision to power.\n- Land use: solar and wind need about 30 times the land of nuclear.";

    @Test
    @DisplayName("one position every answer takes is consensus, its figures given as their spread; change one answer's position → a contradiction")
    void consensusAndContradiction() throws Exception {
        JsonNode before = judge(ENERGY, A, B, C);
        JsonNode after = judge(ENERGY, A, B.replace("new nuclear costs about 130 dollars per MWh, well above wind and solar",
                "firmed renewables cost about 90 dollars per MWh once storage is counted"), C);

        assertThat(texts(before.get("consensus"))).containsExactly(
                "Cost: new nuclear costs about 130–150 dollars per MWh, well above wind and solar",
                "Build time: nuclear takes about 12 years from decision to power");
        assertThat(before.get("contradictions")).isEmpty();
        assertThat(texts(after.get("consensus"))).containsExactly("Build time: nuclear takes about 12 years from decision to power");
        JsonNode cost = after.get("contradictions").get(0);
        assertThat(cost.get("topic").asText()).isEqualTo("cost");
        assertThat(cost.get("stances").toString()).isEqualTo(JSON.readTree("""
                [{"model":"Response A","stance":"new nuclear costs about 150 dollars per MWh, well above wind and solar"},
                 {"model":"Response B","stance":"firmed renewables cost about 90 dollars per MWh once storage is counted"},
                 {"model":"Response C","stance":"new nuclear costs about 140 dollars per MWh, well above wind and solar"}]""").toString());
    }

    @Test
    @DisplayName("a position only some answers cover is partial coverage; add it to the last answer → consensus")
    void partialCoverage() throws Exception {
        JsonNode before = judge(ENERGY, A, B, C);
        JsonNode after = judge(ENERGY, A, B + "\n- Land use: solar and wind need about 25 times the land of nuclear.", C);

        assertThat(before.get("partial_coverage").toString()).isEqualTo(JSON.readTree("""
                [{"models":["Response A","Response C"],"point":"Land use: solar and wind need about 20–30 times the land of nuclear"}]""").toString());
        assertThat(after.get("partial_coverage")).isEmpty();
        assertThat(texts(after.get("consensus"))).contains("Land use: solar and wind need about 20–30 times the land of nuclear");
    }

    @Test
    @DisplayName("a point one answer alone makes is its unique insight; take it from the other answer → it becomes the first's")
    void uniqueInsight() throws Exception {
        String c = C.replace("\n- Land use: solar and wind need about 30 times the land of nuclear.", "");
        JsonNode before = judge(ENERGY, A, B, C);
        JsonNode after = judge(ENERGY, A, B, c);

        assertThat(before.get("unique_insights")).isEmpty();
        assertThat(after.get("unique_insights").toString()).isEqualTo(JSON.readTree("""
                [{"model":"Response A","insight":"Land use: solar and wind need about 20 times the land of nuclear"}]""").toString());
    }

    @Test
    @DisplayName("an aspect of the domain that no answer covers is a blind spot; cover it in one answer → it is gone, and an insight")
    void blindSpot() throws Exception {
        JsonNode before = judge(ENERGY, A, B, C);
        JsonNode after = judge(ENERGY, A, B + "\n- Grid reliability: storage and interconnects keep grids reliable up to about 90% renewables.", C);

        assertThat(texts(before.get("blind_spots"))).contains("Grid reliability: no response addressed whether the lights stay on.",
                "Jobs and transition: no response addressed what happens to coal workers and regions.");
        assertThat(texts(after.get("blind_spots"))).doesNotContain("Grid reliability: no response addressed whether the lights stay on.")
                .contains("Jobs and transition: no response addressed what happens to coal workers and regions.");
        assertThat(after.get("unique_insights").toString()).contains("Response B", "up to about 90% renewables");
    }

    @Test
    @DisplayName("in a conversation the judge finds blind spots in the domain of the last user turn, the one the panel answered")
    void conversation() throws Exception {
        String conversation = "[user] Should I move my retirement portfolio from index funds to bonds?\n\n[assistant] It depends on your horizon."
                + "\n\n[user] And what about nuclear power?";

        assertThat(texts(judge(conversation, A, B, C).get("blind_spots")))
                .contains("Jobs and transition: no response addressed what happens to coal workers and regions.")
                .isEqualTo(texts(judge("And what about nuclear power?", A, B, C).get("blind_spots")));
    }

    @Test
    @DisplayName("a lone answer's points are its panel's consensus: there is no one to differ with")
    void singleAnswer() throws Exception {
        JsonNode analysis = judge(ENERGY, A);

        assertThat(analysis.get("consensus")).hasSize(3);
        assertThat(analysis.get("contradictions")).isEmpty();
        assertThat(analysis.get("unique_insights")).isEmpty();
        assertThat(analysis.get("blind_spots")).isNotEmpty();
    }
}
