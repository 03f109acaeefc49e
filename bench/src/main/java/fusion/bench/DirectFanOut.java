package fusion.bench;

import fusion.model.ChatClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** b. The ceiling: the same client and limits, each request fanned out directly with CompletableFuture, then judged. No Kafka. */
final class DirectFanOut {
    static final String NAME = "b. direct fan-out, no Kafka";

    private DirectFanOut() {}

    static Measurement run(Scenario s, ChatClient client, ProviderClock clock, Duration patience) throws InterruptedException {
        ProcessGauge gauge = new ProcessGauge();
        gauge.start();
        ClosedLoop loop = new ClosedLoop(s.requests(), s.window(), clock::ideal);
        AtomicInteger analysed = new AtomicInteger();
        java.util.concurrent.ConcurrentHashMap<String, Integer> failures = new java.util.concurrent.ConcurrentHashMap<>();
        long start = System.nanoTime();
        for (int i = 0; i < s.requests(); i++) {
            loop.send(i);
            int index = i;
            BenchRequests.fuse(client, BenchRequests.request(s.name(), i)).whenComplete((d, error) -> {
                if (d != null && d.analysed()) analysed.incrementAndGet();
                if (d != null && d.judgeFailure() != null) failures.merge(d.judgeFailure().replaceAll("\\s+", " "), 1, Integer::sum);
                if (error != null) failures.merge("error " + error, 1, Integer::sum);
                loop.completed(index);
            });
        }
        boolean all = loop.await(patience);
        failures.forEach((f, n) -> System.err.println("  judge failures: " + n + " × " + f));
        double wall = (System.nanoTime() - start) / 1e9;
        int finished = (int) (s.requests() - loop.remaining());
        return new Measurement(NAME, finished, wall, gauge.cpuSeconds(), gauge.peakRssMb(), loop.latencies(),
                loop.overheads(), analysed.get() + " analysed" + (all ? "" : "; timed out"));
    }
}
