package fusion.runtime;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** How wide the terminal is: {@code stty size} on the controlling terminal, else $COLUMNS, else 80. */
final class TerminalWidth {
    static final int FALLBACK = 80;

    private TerminalWidth() {}

    static int now() {
        File tty = new File("/dev/tty");
        if (tty.canRead()) {
            try {
                Process stty = new ProcessBuilder("stty", "size").redirectInput(tty).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String size = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
                if (stty.waitFor(2, TimeUnit.SECONDS) && stty.exitValue() == 0) {
                    String[] rowsColumns = size.split("\\s+");
                    if (rowsColumns.length == 2) {
                        int columns = Integer.parseInt(rowsColumns[1]);
                        if (columns > 0) return columns;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.io.IOException | RuntimeException e) {
                // no stty, or no terminal after all: the environment or the fallback says
            }
        }
        try {
            String columns = System.getenv("COLUMNS");
            if (columns != null) return Integer.parseInt(columns.strip());
        } catch (NumberFormatException e) {
            // not a number: the fallback
        }
        return FALLBACK;
    }
}
