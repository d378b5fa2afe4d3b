package io.herald.bench.proc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * How processes' CPU time splits into user and kernel mode, found by sampling them with
 * {@code perf record -e cpu-clock} at {@value #HZ} Hz during a measurement.
 *
 * <p>/proc/PID/stat's total (utime + stime) is the scheduler's exact run time, but its split
 * between the two comes from which mode the process was in at timer ticks, and a load paced at a
 * fixed rate can keep step with the tick: on one 2-core VM a server at 20,000 deliveries/s read
 * "user 0.0 s, system 1.37 s" there while perf, in the same seconds, sampled 30% of its time in
 * user code. So the total stays /proc's and only the share comes from the samples, taken at a
 * prime rate that keeps step with no paced load. Without perf (not installed, not permitted) the
 * result says so and /proc's split is used.
 *
 * <p>perf samples the whole machine ({@code -a}) and the samples of other processes are dropped
 * when read: sampling the processes themselves ({@code -p}) makes perf 6.1 spin once one of their
 * threads exits (a JVM's compiler threads come and go), measured at 12 CPU-seconds in 8 s, which
 * took most of this 2-core machine away from the servers under test in the cluster runs.
 */
public final class CpuModes {
    static final int HZ = 997;
    /** Fewer samples than this (about 0.1 CPU-second) give no share: too few to tell. */
    static final int MIN_SAMPLES = 100;
    /** Kernel addresses on x86-64 and arm64 start in the top half of the address space. */
    private static final long KERNEL_SPACE = 0xffff_0000_0000_0000L;

    private final Process perf;
    private final Path data;
    private final Set<Long> pids;

    private CpuModes(Process perf, Path data, Set<Long> pids) {
        this.perf = perf;
        this.data = data;
        this.pids = pids;
    }

    /** Starts sampling {@code pids} (an empty list, or no perf: nothing is sampled). */
    public static CpuModes start(Collection<Long> pids) {
        if (pids.isEmpty()) {
            return new CpuModes(null, null, Set.of());
        }
        try {
            Path data = Files.createTempFile("bench-cpu-modes", ".data");
            Process perf = new ProcessBuilder("perf", "record", "-a", "-q", "-e", "cpu-clock", "-F", Integer.toString(HZ),
                    "-o", data.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return new CpuModes(perf, data, Set.copyOf(pids));
        } catch (IOException e) {
            return new CpuModes(null, null, Set.of());
        }
    }

    /** Samples per process, user and kernel; an empty map when nothing could be sampled. */
    public Samples stop() {
        if (perf == null) {
            return Samples.NONE;
        }
        try {
            perf.destroy(); // SIGTERM: perf writes what it has and exits
            if (!perf.waitFor(10, TimeUnit.SECONDS)) {
                perf.destroyForcibly();
                return Samples.NONE;
            }
            Process script = new ProcessBuilder("perf", "script", "-F", "pid,ip", "-i", data.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Map<Long, long[]> counts = new HashMap<>();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(script.getInputStream(), StandardCharsets.US_ASCII))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 2) {
                        continue;
                    }
                    try {
                        long pid = Long.parseLong(f[0]);
                        if (!pids.contains(pid)) {
                            continue;
                        }
                        boolean kernel = Long.compareUnsigned(Long.parseUnsignedLong(f[1], 16), KERNEL_SPACE) >= 0;
                        counts.computeIfAbsent(pid, p -> new long[2])[kernel ? 1 : 0]++;
                    } catch (NumberFormatException e) {
                        // a line perf added about something else
                    }
                }
            }
            script.waitFor(30, TimeUnit.SECONDS);
            return new Samples(counts);
        } catch (IOException e) {
            return Samples.NONE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Samples.NONE;
        } finally {
            try {
                Files.deleteIfExists(data);
            } catch (IOException e) {
                // a temporary file left behind
            }
        }
    }

    /** User and kernel samples of each sampled process. */
    public record Samples(Map<Long, long[]> byPid) {
        static final Samples NONE = new Samples(Map.of());

        /**
         * The share of {@code pids}' samples taken in user mode, or -1 when there were fewer than
         * {@value #MIN_SAMPLES} (or none: perf did not run).
         */
        public double userShare(List<Long> pids) {
            long user = 0;
            long kernel = 0;
            for (long pid : pids) {
                long[] c = byPid.get(pid);
                if (c != null) {
                    user += c[0];
                    kernel += c[1];
                }
            }
            return user + kernel < MIN_SAMPLES ? -1 : user / (double) (user + kernel);
        }

        public long count(List<Long> pids) {
            return pids.stream().map(byPid::get).filter(c -> c != null).mapToLong(c -> c[0] + c[1]).sum();
        }
    }
}
