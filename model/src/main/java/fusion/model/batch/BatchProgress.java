package fusion.model.batch;

import java.util.Objects;

/**
 * One poll's answer.
 *
 * @param total     lines in the batch, as the provider counts them
 * @param completed lines answered successfully so far
 * @param failed    lines that failed so far
 * @param error     why the whole batch failed ({@code error.message}, or OpenAI's first {@code errors.data} entry), else null
 */
public record BatchProgress(String batchId, BatchStatus status, int total, int completed, int failed, String error) {
    public BatchProgress {
        Objects.requireNonNull(batchId, "batchId");
        status = status == null ? BatchStatus.UNKNOWN : status;
    }

    public boolean terminal() {
        return status.terminal();
    }
}
