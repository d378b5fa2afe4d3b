package io.herald.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Waits for a condition that announces itself by no event (a health endpoint, a port that starts
 * listening, state a client library keeps), checking it every {@code interval}.
 */
public final class Poll {
    private Poll() {}

    /**
     * Returns once {@code condition} holds; fails after {@code timeout} with {@code what} and
     * {@code lastSeen}. An exception from {@code condition} counts as "not yet".
     */
    public static void until(String what, Duration timeout, Duration interval, Callable<Boolean> condition,
                             Supplier<String> lastSeen) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception notYet) {
                // not ready yet (a refused connection, for instance)
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until " + what
                        + "; last seen: " + lastSeen.get());
            }
            Thread.sleep(interval.toMillis());
        }
    }
}
