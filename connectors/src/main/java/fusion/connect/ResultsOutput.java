package fusion.connect;

import fusion.runtime.ResultSink;
import java.util.Set;

/**
 * Where the results sink writes: a JSONL file or a Parquet dataset directory. What it already holds is read when it
 * is opened, so that a result read again is not written twice; {@link #flush} puts everything written on disk.
 */
interface ResultsOutput extends ResultSink {
    /** The request ids it held when opened. */
    Set<String> written();
}
