package fusion.model.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PollScheduleTest {
    @Test
    @DisplayName("a fixed schedule waits the same before every poll, however many were made; the provider defaults still back off")
    void fixedWaitsTheSame() {
        PollSchedule every = PollSchedule.fixed(Duration.ofMillis(250));

        assertThat(IntStream.of(0, 1, 5, 50).mapToObj(every::delayBefore)).containsOnly(Duration.ofMillis(250));
        assertThat(PollSchedule.OPENAI.delayBefore(1)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    @DisplayName("a fixed schedule of zero polls at once; a negative one is refused")
    void fixedBounds() {
        assertThat(PollSchedule.fixed(Duration.ZERO).delayBefore(3)).isZero();
        assertThatThrownBy(() -> PollSchedule.fixed(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
