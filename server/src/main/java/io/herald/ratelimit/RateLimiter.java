package io.herald.ratelimit;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Counts hits per key in fixed windows ({@code rate_limiter.driver}: memory or redis).
 *
 * <p>Contract: {@link #tryAcquire} counts one hit against {@code key} and says whether it is
 * within {@code max} hits for the key's current window. A window opens at the key's first hit and
 * lasts {@code windowSeconds}; for one key, callers always pass the same window length. The
 * future never fails: a driver whose backend is unreachable allows the hit, because a broken
 * limiter must not take the service down with it.
 */
public interface RateLimiter extends AutoCloseable {
    /** Whether a hit is allowed; when refused, the whole seconds until the key's window ends (at least 1). */
    record Decision(boolean allowed, long retryAfterSeconds) {
        public static final Decision ALLOWED = new Decision(true, 0);

        public static Decision refused(long retryAfterMillis) {
            return new Decision(false, Math.max(1, (retryAfterMillis + 999) / 1000));
        }
    }

    CompletableFuture<Decision> tryAcquire(String key, int max, int windowSeconds);

    /** False while the backend is unreachable (hits are allowed meanwhile). */
    boolean isHealthy();

    /**
     * Asks the backend for an answer now, waiting at most {@code timeout} (the background health
     * check; blocks its caller, never an event loop). Drivers without a round trip of their own
     * answer with {@link #isHealthy}.
     */
    default boolean probe(Duration timeout) {
        return isHealthy();
    }


    /** Short driver name for logs. */
    String name();

    @Override
    void close();
}
