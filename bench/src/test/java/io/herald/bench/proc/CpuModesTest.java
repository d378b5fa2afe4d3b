package io.herald.bench.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CpuModesTest {
    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void aProcessSpinningInJavaIsSampledInUserModeAndOneReadingLargeBlocksMostlyInTheKernel() throws IOException {
        CpuModes spinning = CpuModes.start(List.of(SELF));
        long sum = 0;
        for (long end = System.nanoTime() + 600_000_000L; System.nanoTime() < end; ) {
            for (int i = 0; i < 100_000; i++) {
                sum += i * 31L ^ sum;
            }
        }
        CpuModes.Samples spun = spinning.stop();
        assertTrue(spun.count(List.of(SELF)) >= CpuModes.MIN_SAMPLES, "samples: " + spun.byPid() + " " + sum);
        assertTrue(spun.userShare(List.of(SELF)) > 0.8, "user share while spinning: " + spun.userShare(List.of(SELF)));

        // Large reads into one direct buffer: the kernel clears a MiB per call, Java does almost nothing.
        // (Small reads of /proc files spent more than half their time in the JVM on some VMs.)
        CpuModes reading = CpuModes.start(List.of(SELF));
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel zero = FileChannel.open(Path.of("/dev/zero"), StandardOpenOption.READ)) {
            for (long end = System.nanoTime() + 600_000_000L; System.nanoTime() < end; ) {
                buffer.clear();
                zero.read(buffer);
            }
        }
        CpuModes.Samples read = reading.stop();
        assertTrue(read.userShare(List.of(SELF)) < 0.5, "user share while reading /dev/zero: " + read.userShare(List.of(SELF)));
    }

    /**
     * perf samples the whole machine (the other core idles meanwhile: pid 0) but keeps the asked
     * processes only, including a thread that starts and ends during the measurement.
     */
    @Test
    void onlyTheAskedProcessIsCountedThoughTheWholeMachineIsSampled() throws Exception {
        CpuModes modes = CpuModes.start(List.of(SELF));
        long[] sum = new long[1];
        Thread spinner = new Thread(() -> {
            for (long end = System.nanoTime() + 600_000_000L; System.nanoTime() < end; ) {
                for (int i = 0; i < 100_000; i++) {
                    sum[0] += i * 31L ^ sum[0];
                }
            }
        });
        spinner.start();
        spinner.join();
        CpuModes.Samples samples = modes.stop();
        assertTrue(samples.count(List.of(SELF)) >= CpuModes.MIN_SAMPLES, "samples: " + samples.byPid() + " " + sum[0]);
        assertEquals(Set.of(SELF), samples.byPid().keySet(), "only the asked process is kept");
    }

    @Test
    void tooFewSamplesOrNoneGiveNoShare() {
        CpuModes.Samples samples = new CpuModes.Samples(Map.of(1L, new long[] {60, 20}, 2L, new long[] {10, 10}));
        assertEquals(-1, samples.userShare(List.of(1L)));
        assertEquals(70 / 100.0, samples.userShare(List.of(1L, 2L)), 1e-9);
        assertEquals(-1, samples.userShare(List.of(3L)));
        assertEquals(-1, CpuModes.start(List.of()).stop().userShare(List.of(SELF)));
    }
}
