package io.herald.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.ratelimit.KeyedThrottle;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The coalescing behind subscription counts: one run per burst, the rest a run asks for, the trailing run, no leftovers. */
class KeyedThrottleTest {
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final KeyedThrottle throttle = new KeyedThrottle(50);
    private final List<Long> runs = new CopyOnWriteArrayList<>(); // start times, nanoTime

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private Supplier<CompletableFuture<Long>> recording(long restMillis) {
        return () -> {
            runs.add(System.nanoTime());
            return CompletableFuture.completedFuture(restMillis);
        };
    }

    private void awaitRuns(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (runs.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(runs).hasSizeGreaterThanOrEqualTo(count);
    }

    @Test
    void signalsWithinTheDelayMakeOneRun() throws Exception {
        for (int i = 0; i < 20; i++) {
            throttle.signal("k", executor, recording(0));
        }
        awaitRuns(1);
        Thread.sleep(200);
        assertThat(runs).hasSize(1);
        assertThat(throttle.activeKeys()).as("idle keys are dropped").isZero();
    }

    @Test
    void aSignalDuringARunLeadsToAnotherRunAfterIt() throws Exception {
        CompletableFuture<Long> firstRun = new CompletableFuture<>();
        throttle.signal("k", executor, () -> {
            runs.add(System.nanoTime());
            return runs.size() == 1 ? firstRun : CompletableFuture.completedFuture(0L);
        });
        awaitRuns(1);
        throttle.signal("k", executor, recording(0)); // while the first run is still going
        Thread.sleep(150);
        assertThat(runs).as("not before the first run has finished").hasSize(1);
        firstRun.complete(0L);
        awaitRuns(2);
        Thread.sleep(150);
        assertThat(runs).hasSize(2);
    }

    @Test
    void aRunsRestDelaysTheNextOneButNotForever() throws Exception {
        throttle.signal("k", executor, recording(400));
        awaitRuns(1);
        throttle.signal("k", executor, recording(400));
        throttle.signal("k", executor, recording(400));
        awaitRuns(2);
        long apartMillis = TimeUnit.NANOSECONDS.toMillis(runs.get(1) - runs.get(0));
        assertThat(apartMillis).as("the second run waits for the rest of the first").isGreaterThanOrEqualTo(390);
        Thread.sleep(600);
        assertThat(runs).as("both signals after the first run made one run").hasSize(2);
        assertThat(throttle.activeKeys()).as("a rested idle key is dropped").isZero();
    }

    @Test
    void keysAreThrottledApart() throws Exception {
        throttle.signal("a", executor, recording(1000));
        throttle.signal("b", executor, recording(1000));
        awaitRuns(2);
        assertThat(TimeUnit.NANOSECONDS.toMillis(Math.abs(runs.get(1) - runs.get(0)))).isLessThan(500);
    }
}
