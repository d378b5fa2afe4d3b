package io.herald.bench.proc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the figures were measured on: cores, memory, CPU model, kernel. */
public final class Machine {
    private Machine() {}

    public static ObjectNode describe() {
        ObjectNode m = Json.object();
        m.put("nproc", Runtime.getRuntime().availableProcessors());
        m.put("mem_total_kb", memTotalKb());
        m.put("cpu_model", cpuModel());
        m.put("kernel", read("/proc/sys/kernel/osrelease").trim());
        m.put("bench_java", System.getProperty("java.vendor", "") + " " + System.getProperty("java.runtime.version", ""));
        return m;
    }

    static long memTotalKb() {
        for (String line : lines("/proc/meminfo")) {
            if (line.startsWith("MemTotal:")) {
                String digits = line.replaceAll("[^0-9]", "");
                return digits.isEmpty() ? 0 : Long.parseLong(digits);
            }
        }
        return 0;
    }

    static String cpuModel() {
        for (String line : lines("/proc/cpuinfo")) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "unknown";
    }

    private static List<String> lines(String path) {
        try {
            return Files.readAllLines(Path.of(path));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException e) {
            return "unknown";
        }
    }
}
