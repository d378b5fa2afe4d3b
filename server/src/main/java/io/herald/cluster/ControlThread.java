package io.herald.cluster;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster adapter's one thread: presence decisions, channel facts, queries and liveness all
 * run here, in the order they were handed over, so none of them needs a lock. It never blocks.
 * A step that fails is logged and never stops the thread's other work; a step handed over while
 * the node stops is dropped.
 */
final class ControlThread {
    private static final Logger log = LoggerFactory.getLogger(ControlThread.class);

    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    private final ScheduledThreadPoolExecutor executor;

    ControlThread() {
        executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "herald-cluster");
            thread.setDaemon(true);
            return thread;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Runs {@code step} soon; false when the thread has stopped (the step is dropped). */
    boolean execute(String what, Step step) {
        try {
            executor.execute(() -> guarded(what, step));
            return true;
        } catch (RejectedExecutionException stopping) {
            return false;
        }
    }

    void schedule(String what, Step step, long delayMillis) {
        try {
            executor.schedule(() -> guarded(what, step), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the node stops
        }
    }

    void every(String what, Step step, long periodMillis) {
        executor.scheduleAtFixedRate(() -> guarded(what, step), periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** For the parts that schedule on this thread themselves (the holds of channel facts, query timeouts). */
    ScheduledExecutorService executor() {
        return executor;
    }

    boolean isShutdown() {
        return executor.isShutdown();
    }

    /** Runs what was already handed over (for at most {@code awaitMillis}), then stops. */
    void shutdown(long awaitMillis) {
        executor.shutdown();
        try {
            executor.awaitTermination(awaitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void guarded(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            log.warn("cluster {} failed: {}", what, e.toString(), e);
        }
    }
}
