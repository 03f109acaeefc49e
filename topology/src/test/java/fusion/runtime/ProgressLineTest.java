package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
    private static final ProgressLine EARLY = new ProgressLine(12, 60, 10, 1, 1, 8, 2, 0.0123, 4000);
    private static final ProgressLine BIG = new ProgressLine(81_234, 100_000, 79_876, 1_234, 124, 512, 12_345, 1234.5678, 3_600_000);

    @Test
    @DisplayName("at 80 and 120 columns the line fits and shows done/total, ok / without analysis / errors, in flight, retries, cost, rate, ETA")
    void fitsWithEveryField() {
        for (int width : new int[] {80, 120}) {
            String line = EARLY.fit(width);
            assertThat(line.length()).as(line).isLessThan(width);
            assertThat(line).contains("12/60", "10 ok", "1 w", "1 err", "8 ", "in flight", "2 retr", "$0.01", "/s", "ETA ");
        }
        assertThat(EARLY.fit(120)).contains("1 without analysis", "8 calls in flight", "2 retries", "$0.0123", "3.0/s");
        // with room to spare, a bar comes first
        assertThat(EARLY.fit(160)).startsWith("[====").hasSizeLessThan(160);
    }

    @Test
    @DisplayName("fields are apart: no count runs into the next ('3.0/s12 ok' is gone)")
    void fieldsApart() {
        assertThat(EARLY.fit(120)).doesNotContainPattern("/s\\d").contains(" | ");
        assertThat(EARLY.fit(80)).doesNotContainPattern("/s\\d").contains("  ");
    }

    @Test
    @DisplayName("six-figure counts at 80 columns: still fits, done/total, calls in flight and cost stay")
    void bigNumbersAt80() {
        String line = BIG.fit(80);

        assertThat(line.length()).as(line).isLessThan(80);
        assertThat(line).contains("81234/100000", "512 in flight", "$1235");
        assertThat(BIG.fit(120)).contains("79876 ok", "124 err", "12345 retr", "ETA ");
    }

    @Test
    @DisplayName("the bar takes the room left and is full at the end; an unknown total has no bar and no ETA")
    void barAndUnknownTotal() {
        String done = new ProgressLine(60, 60, 60, 0, 0, 0, 0, 0.5, 20_000).fit(160);
        String open = new ProgressLine(7, -1, 7, 0, 0, -1, 0, 0.1, 1000).fit(120);

        assertThat(done).startsWith("[====").doesNotContain("[ ").contains("ETA done");
        assertThat(open).doesNotContain("[").doesNotContain("ETA").doesNotContain("in flight").startsWith("7 |");
    }

    @Test
    @DisplayName("the log form has every field in full, with no width to keep to")
    void full() {
        assertThat(BIG.full()).contains("81234/100000 81%", "79876 ok, 1234 without analysis, 124 errors", "512 calls in flight",
                "12345 retries", "$1234.5678", "ETA ");
    }
}
