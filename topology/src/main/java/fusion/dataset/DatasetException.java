package fusion.dataset;

import java.io.IOException;

/** A dataset file that cannot be read as requests at all; the message says what to change. */
public final class DatasetException extends IOException {
    public DatasetException(String message) {
        super(message);
    }
}
