package io.herald.bench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time and memory of processes, read from /proc: {@code utime + stime} of /proc/PID/stat (in
 * clock ticks, {@code getconf CLK_TCK}) and VmRSS/VmHWM of /proc/PID/status (kB).
 */
public final class ProcStats {
    private static volatile long clockTicks = -1;

    private ProcStats() {}

    /**
     * One reading of a set of processes, summed: CPU time in user and in system (kernel) mode;
     * {@code machineBusySeconds} is the whole machine's non-idle CPU time (/proc/stat), to tell how
     * much other processes used meanwhile.
     */
    public record Sample(long nanoTime, double userSeconds, double systemSeconds, long rssKb, long hwmKb, int alive,
                         double machineBusySeconds) {
        public double cpuSeconds() {
            return userSeconds + systemSeconds;
        }

        public double cpuSince(Sample earlier) {
            return cpuSeconds() - earlier.cpuSeconds();
        }

        public double userSince(Sample earlier) {
            return userSeconds - earlier.userSeconds;
        }

        public double systemSince(Sample earlier) {
            return systemSeconds - earlier.systemSeconds;
        }

        public double machineBusySince(Sample earlier) {
            return machineBusySeconds - earlier.machineBusySeconds;
        }
    }

    public static Sample sample(List<Long> pids) {
        double user = 0;
        double system = 0;
        long rss = 0;
        long hwm = 0;
        int alive = 0;
        for (long pid : pids) {
            try {
                double[] cpu = cpuTimes(pid);
                user += cpu[0];
                system += cpu[1];
                long[] mem = memoryKb(pid);
                rss += mem[0];
                hwm += mem[1];
                alive++;
            } catch (IOException | RuntimeException e) {
                // gone: counts as nothing; `alive` tells the caller
            }
        }
        return new Sample(System.nanoTime(), user, system, rss, hwm, alive, machineBusySeconds());
    }

    /** Non-idle CPU time of the whole machine (user+nice+system+irq+softirq+steal of /proc/stat), in seconds. */
    public static double machineBusySeconds() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split(" +");
                    long busy = 0;
                    for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                        busy += i < f.length ? Long.parseLong(f[i]) : 0;
                    }
                    return busy / (double) clockTicks();
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return 0;
    }

    /** {utime, stime} of one process, in seconds. */
    public static double[] cpuTimes(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name (field 2) is in parentheses and may contain spaces: split after it.
        String rest = stat.substring(stat.lastIndexOf(')') + 2);
        String[] f = rest.trim().split(" +");
        // rest starts at field 3 (state): utime is field 14, stime field 15.
        long utime = Long.parseLong(f[11]);
        long stime = Long.parseLong(f[12]);
        return new double[] {utime / (double) clockTicks(), stime / (double) clockTicks()};
    }

    /** {VmRSS, VmHWM} in kB. */
    public static long[] memoryKb(long pid) throws IOException {
        long rss = 0;
        long hwm = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = kb(line);
            } else if (line.startsWith("VmHWM:")) {
                hwm = kb(line);
            }
        }
        return new long[] {rss, hwm};
    }

    /** Open file descriptors of one process (entries of /proc/PID/fd); -1 if unreadable. */
    public static int openFds(long pid) {
        try (var entries = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) entries.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    public static boolean alive(long pid) {
        return Files.exists(Path.of("/proc", Long.toString(pid), "stat"));
    }

    private static long kb(String line) {
        String digits = line.replaceAll("[^0-9]", "");
        return digits.isEmpty() ? 0 : Long.parseLong(digits);
    }

    static long clockTicks() {
        long ticks = clockTicks;
        if (ticks <= 0) {
            ticks = 100;
            try {
                Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes()).trim();
                p.waitFor();
                ticks = Long.parseLong(out);
            } catch (IOException | NumberFormatException e) {
                // Linux on x86-64 uses 100
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            clockTicks = ticks;
        }
        return ticks;
    }
}
