package fusion.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fusion.runtime.FusionConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The request fields quorum and quorum_grace_ms, and their configured defaults. */
class QuorumFieldsTest {
    private static final FusionDefaults PANEL_OF_TWO = new FusionDefaults(List.of("p/one", "p/two"), "p/judge", 8);

    private static RequestValidator.Verdict validate(QuorumDefaults defaults, String json) {
        return new RequestValidator(PANEL_OF_TWO, defaults).validate(RequestJson.parse(json));
    }

    @Test
    @DisplayName("quorum and quorum_grace_ms are read from a request's JSON as given")
    void readFromJson() {
        var v = validate(QuorumDefaults.none(), "{\"id\":\"a\",\"prompt\":\"q\",\"quorum\":1,\"quorum_grace_ms\":1500}");

        assertThat(v.valid()).isTrue();
        assertThat(v.request().getQuorum()).isEqualTo(1);
        assertThat(v.request().getQuorumGraceMs()).isEqualTo(1500L);
    }

    @Test
    @DisplayName("a quorum outside 1..panel size, or a negative grace → invalid_request naming the field and its range")
    void ranges() {
        assertThat(validate(QuorumDefaults.none(), "{\"prompt\":\"q\",\"quorum\":0}").errorMessage())
                .startsWith("quorum is 0").contains("between 1 and the panel size (2)");
        assertThat(validate(QuorumDefaults.none(), "{\"prompt\":\"q\",\"quorum\":3}").errorMessage())
                .startsWith("quorum is 3").contains("panel size (2)");
        assertThat(validate(QuorumDefaults.none(), "{\"prompt\":\"q\",\"quorum\":1,\"quorum_grace_ms\":-5}").errorMessage())
                .startsWith("quorum_grace_ms is -5").contains("0 or more");
        assertThatThrownBy(() -> RequestJson.parse("{\"prompt\":\"q\",\"quorum\":\"two\"}"))
                .hasMessageContaining("quorum is \"two\"").hasMessageContaining("whole number");
    }

    @Test
    @DisplayName("no quorum given: every panel model, unless fusion.quorum.default sets one (capped at the panel size) with fusion.quorum.grace-ms")
    void defaults() {
        var all = validate(QuorumDefaults.none(), "{\"prompt\":\"q\"}");
        assertThat(all.request().getQuorum()).isNull();

        QuorumDefaults configured = new FusionConfig(Map.of("fusion.quorum.default", "3", "fusion.quorum.grace-ms", "750")).quorum();
        var capped = validate(configured, "{\"prompt\":\"q\"}");
        assertThat(capped.request().getQuorum()).isEqualTo(2);
        assertThat(capped.request().getQuorumGraceMs()).isEqualTo(750L);

        var own = validate(configured, "{\"prompt\":\"q\",\"quorum\":1,\"quorum_grace_ms\":10}");
        assertThat(own.request().getQuorum()).isEqualTo(1);
        assertThat(own.request().getQuorumGraceMs()).isEqualTo(10L);
    }

    @Test
    @DisplayName("a bad fusion.quorum.* setting is refused naming the key")
    void badSettings() {
        assertThatThrownBy(() -> new FusionConfig(Map.of("fusion.quorum.default", "0")).quorum()).hasMessageStartingWith("fusion.quorum.default is 0");
        assertThatThrownBy(() -> new FusionConfig(Map.of("fusion.quorum.default", "many")).quorum()).hasMessageStartingWith("fusion.quorum.default is 'many'");
        assertThatThrownBy(() -> new FusionConfig(Map.of("fusion.quorum.grace-ms", "-1")).quorum()).hasMessageStartingWith("fusion.quorum.grace-ms is -1");
    }
}
