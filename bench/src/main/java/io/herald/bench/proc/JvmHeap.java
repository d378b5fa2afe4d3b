package io.herald.bench.proc;

import io.herald.bench.target.Processes;
import java.io.IOException;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live heap of a running JVM, read from outside without changing how it was started: a full
 * collection with {@code jcmd PID GC.run}, then {@code jcmd PID GC.heap_info}, whose "used" is then
 * what survived. A leak shows as heap-after-GC growing; heap before GC only shows the allocation
 * rate.
 */
public final class JvmHeap {
    /** "def new generation   total 14784K, used 1234K [...]", "garbage-first heap   total 262144K, used 12345K [...]" */
    private static final Pattern GENERATION = Pattern.compile("^\\s*([A-Za-z][A-Za-z -]*?)\\s+total (\\d+)K, used (\\d+)K", Pattern.MULTILINE);
    /** ZGC: " ZHeap           used 8M, capacity 32M, max capacity 512M" */
    private static final Pattern ZGC = Pattern.compile("ZHeap\\s+used (\\d+)M");

    private JvmHeap() {}

    /** Collects, then returns the heap in use in KB; empty if jcmd could not attach. */
    public static OptionalLong usedAfterFullGcKb(String jcmd, long pid) {
        try {
            Processes.run(List.of(jcmd, Long.toString(pid), "GC.run"), null, null, 60);
            return parseUsedKb(Processes.run(List.of(jcmd, Long.toString(pid), "GC.heap_info"), null, null, 30));
        } catch (IOException e) {
            System.err.println("bench: jcmd on pid " + pid + " failed: " + firstLine(e.getMessage()));
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }

    /** The sum of the generations' "used" in GC.heap_info's text (Metaspace and class space are not heap). */
    static OptionalLong parseUsedKb(String heapInfo) {
        long used = 0;
        boolean found = false;
        Matcher m = GENERATION.matcher(heapInfo);
        while (m.find()) {
            String name = m.group(1).trim();
            if (name.contains("Metaspace") || name.contains("class space")) {
                continue;
            }
            used += Long.parseLong(m.group(3));
            found = true;
        }
        if (!found) {
            Matcher z = ZGC.matcher(heapInfo);
            if (z.find()) {
                return OptionalLong.of(Long.parseLong(z.group(1)) * 1024);
            }
        }
        return found ? OptionalLong.of(used) : OptionalLong.empty();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
