package fusion.model.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * How much one batch may hold, so a caller can cut its calls into batches the provider accepts.
 *
 * @param maxRequests lines per batch
 * @param maxBytes    bytes of the submitted body or file, or {@link Long#MAX_VALUE} when the provider documents none
 */
public record BatchLimits(int maxRequests, long maxBytes) {
    /** OpenRouter: 5,000 requests per batch (its batch quickstart); it documents no byte limit. */
    public static final BatchLimits OPENROUTER = new BatchLimits(5_000, Long.MAX_VALUE);
    /** OpenAI Batch: 50,000 requests, input file up to 200 MB. */
    public static final BatchLimits OPENAI = new BatchLimits(50_000, 200L * 1024 * 1024);
    /** Anthropic Message Batches: 100,000 requests or 256 MB. */
    public static final BatchLimits ANTHROPIC = new BatchLimits(100_000, 256L * 1024 * 1024);

    public BatchLimits {
        if (maxRequests < 1) throw new IllegalArgumentException("maxRequests must be at least 1: " + maxRequests);
        if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be at least 1: " + maxBytes);
    }

    /**
     * Cuts {@code lines} into consecutive chunks within both limits, keeping their order.
     *
     * @param bytes the serialised size of one line; a line larger than {@link #maxBytes} alone is refused
     */
    public <T> List<List<T>> chunks(List<T> lines, ToLongFunction<T> bytes) {
        List<List<T>> chunks = new ArrayList<>();
        List<T> current = new ArrayList<>();
        long size = 0;
        for (T line : lines) {
            long b = bytes.applyAsLong(line);
            if (b > maxBytes) throw new IllegalArgumentException("one batch line is " + b + " bytes, over the provider's " + maxBytes + "-byte limit");
            if (!current.isEmpty() && (current.size() == maxRequests || size + b > maxBytes)) {
                chunks.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(line);
            size += b;
        }
        if (!current.isEmpty()) chunks.add(current);
        return chunks;
    }
}
