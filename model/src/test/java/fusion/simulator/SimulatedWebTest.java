package fusion.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import fusion.web.LocalWebTools;
import fusion.web.ToolResult;
import fusion.web.WebSource;
import fusion.web.WebToolsConfig;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The simulator's SearxNG-shaped search and its pages, through the web tools a simulated run would use. */
class SimulatedWebTest {
    private Simulator simulator;
    private LocalWebTools tools;

    @BeforeEach
    void start() {
        simulator = Simulator.start(SimulatorConfig.defaults());
        tools = LocalWebTools.from(Map.of(WebToolsConfig.BACKEND, "searxng", WebToolsConfig.SEARCH_URL, simulator.webUrl(),
                WebToolsConfig.ALLOW, "127.0.0.1:" + simulator.port()), name -> null);
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    @DisplayName("a search finds three simulated pages, the same ones every time, each a source")
    void search() {
        ToolResult first = tools.search("Carbon tax?");

        assertThat(first.sources()).extracting(WebSource::url).containsExactly(
                simulator.webUrl() + "/pages/carbon-tax-1", simulator.webUrl() + "/pages/carbon-tax-2", simulator.webUrl() + "/pages/carbon-tax-3");
        assertThat(first.content()).startsWith("1. Simulated result 1 for Carbon tax?").contains("(simulated snippet)");
        assertThat(tools.search("Carbon tax?")).isEqualTo(first);
        assertThat(simulator.callCount()).as("chat-completion calls").isZero();
    }

    @Test
    @DisplayName("a page a search found is fetched as text: title kept, its script gone")
    void fetchFoundPage() {
        String url = tools.search("carbon tax").sources().get(0).url();

        ToolResult page = tools.fetch(url);

        assertThat(page.content()).startsWith("Title: Simulated page: carbon tax 1\nURL: " + url)
                .contains("(simulated page) This page stands in for a web page about carbon tax 1.").doesNotContain("tracking", "color");
        assertThat(page.sources()).containsExactly(new WebSource(url, "Simulated page: carbon tax 1"));
    }

    @Test
    @DisplayName("the simulator's redirect page to loopback elsewhere is refused on the second hop")
    void redirectRefused() {
        ToolResult result = tools.fetch(simulator.webUrl() + "/pages/redirect?to=http://0x7f000001:1/");

        assertThat(result.refused()).isTrue();
        assertThat(result.content()).isEqualTo(LocalWebTools.REFUSED);
    }

    @Test
    @DisplayName("without the allowlist entry even the simulator's own pages are refused")
    void notAllowlisted() {
        LocalWebTools unlisted = LocalWebTools.from(Map.of(), name -> null);

        assertThat(unlisted.fetch(simulator.webUrl() + "/pages/carbon-tax-1").refused()).isTrue();
    }
}
