package fusion.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedBrokerStartTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a background start that is taken → the broker it gives answers clients")
    void takenStartGivesARunningBroker() throws Exception {
        try (EmbeddedBroker.Starting starting = EmbeddedBroker.startInBackground(dir.resolve("kafka"));
             EmbeddedBroker broker = starting.get();
             Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            assertThat(admin.describeCluster().nodes().get()).hasSize(1);
        }
    }

    @Test
    @DisplayName("a background start closed before it is taken (a user error after it began) → the broker is stopped, "
            + "and its directory starts again")
    void untakenStartStopsTheBroker() throws Exception {
        EmbeddedBroker.startInBackground(dir.resolve("kafka")).close();
        // a broker still up would hold the lock on its log directory, and this start would fail
        try (EmbeddedBroker again = EmbeddedBroker.start(dir.resolve("kafka"));
             Admin admin = Admin.create(Map.of("bootstrap.servers", again.bootstrapServers()))) {
            assertThat(admin.describeCluster().nodes().get()).hasSize(1);
        }
    }
}
