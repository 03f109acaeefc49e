package fusion.model.resilience;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A chat-completions server scripted per test, for a {@link mockwebserver3.MockWebServer}: serves
 * queued responses in order (then a default answer), records when each request arrived and for
 * which model, and can hold requests at a gate to count how many are at the server at once.
 */
final class ScriptedProvider extends Dispatcher {
    static final String COMPLETION = """
            {
              "id": "gen-1747311111-AbCdEfGh",
              "model": "openai/gpt-5-mini",
              "object": "chat.completion",
              "choices": [{"index": 0, "finish_reason": "stop",
                           "message": {"role": "assistant", "content": "Kafka is a distributed event log."}}],
              "usage": {"prompt_tokens": 21, "completion_tokens": 88, "total_tokens": 109, "cost": 0.0001795}
            }""";

    /** One request as the server saw it: when it came, when its answer was sent, and for which model. */
    record Arrival(String model, long arrivedNanos, long answeredNanos) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConcurrentLinkedQueue<MockResponse> script = new ConcurrentLinkedQueue<>();
    private final List<Arrival> arrivals = new ArrayList<>();
    private final AtomicInteger atServer = new AtomicInteger();
    private final AtomicInteger mostAtServer = new AtomicInteger();
    private volatile CountDownLatch gate;

    static MockResponse json(int status, String body) {
        return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(body).build();
    }

    static MockResponse ok() {
        return json(200, COMPLETION);
    }

    static MockResponse error(int status, String message) {
        return json(status, """
                {"error": {"code": %d, "message": "%s"}}""".formatted(status, message));
    }

    ScriptedProvider then(MockResponse response) {
        script.add(response);
        return this;
    }

    /** Holds every request at the server until {@link #releaseRequests()}. */
    void holdRequests() {
        gate = new CountDownLatch(1);
    }

    void releaseRequests() {
        CountDownLatch g = gate;
        if (g != null) g.countDown();
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        long arrived = System.nanoTime();
        int now = atServer.incrementAndGet();
        mostAtServer.accumulateAndGet(now, Math::max);
        String model = model(request);
        try {
            synchronized (arrivals) {
                arrivals.add(new Arrival(model, arrived, 0));
                arrivals.notifyAll();
            }
            CountDownLatch g = gate;
            if (g != null && !g.await(10, TimeUnit.SECONDS)) throw new AssertionError("gate never opened");
            MockResponse response = script.poll();
            synchronized (arrivals) {
                for (int i = 0; i < arrivals.size(); i++) {
                    Arrival a = arrivals.get(i);
                    if (a.arrivedNanos() == arrived && a.answeredNanos() == 0 && a.model().equals(model)) {
                        arrivals.set(i, new Arrival(model, arrived, System.nanoTime()));
                        break;
                    }
                }
            }
            return response != null ? response : ok();
        } finally {
            atServer.decrementAndGet();
        }
    }

    /** Waits until at least {@code n} requests have arrived. */
    void awaitArrivals(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (arrivals) {
            while (arrivals.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new AssertionError("only " + arrivals.size() + " of " + n + " requests arrived");
                TimeUnit.NANOSECONDS.timedWait(arrivals, left);
            }
        }
    }

    List<Arrival> arrivals() {
        synchronized (arrivals) {
            return List.copyOf(arrivals);
        }
    }

    int requests() {
        synchronized (arrivals) {
            return arrivals.size();
        }
    }

    int mostAtServerAtOnce() {
        return mostAtServer.get();
    }

    private static String model(RecordedRequest request) {
        try {
            return JSON.readTree(request.getBody().utf8()).path("model").asText();
        } catch (Exception e) {
            return "?";
        }
    }
}
