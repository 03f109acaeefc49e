package fusion.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and peak resident memory of this process. Linux keeps a high-water mark of RSS that
 * writing 5 to /proc/self/clear_refs resets, so each variant's peak is its own.
 */
final class ProcessGauge {
    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long cpuStart;

    void start() {
        System.gc();
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not Linux, or not allowed: the peak then covers the whole process so far
        }
        cpuStart = os.getProcessCpuTime();
    }

    double cpuSeconds() {
        return (os.getProcessCpuTime() - cpuStart) / 1e9;
    }

    long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
