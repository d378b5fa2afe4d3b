package io.herald.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This node's counts ({@code rate_limiter.driver: memory}): one fixed window per key, dropped
 * when it ends, and at most {@code maxKeys} keys (least recently used go first), so a flood of
 * client addresses cannot grow the heap without bound.
 */
public final class MemoryRateLimiter implements RateLimiter {
    public static final long DEFAULT_MAX_KEYS = 100_000;

    private static final class Window {
        final long endsAtNanos;
        final AtomicInteger hits = new AtomicInteger();

        Window(long endsAtNanos) {
            this.endsAtNanos = endsAtNanos;
        }
    }

    private final Cache<String, Window> windows;
    private final Ticker ticker;

    public MemoryRateLimiter() {
        this(DEFAULT_MAX_KEYS, Ticker.systemTicker());
    }

    /** With a ticker of its own: tests move time by hand. */
    public MemoryRateLimiter(long maxKeys, Ticker ticker) {
        this.ticker = ticker;
        this.windows = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .ticker(ticker)
                .expireAfter(new Expiry<String, Window>() {
                    @Override
                    public long expireAfterCreate(String key, Window window, long now) {
                        return Math.max(0, window.endsAtNanos - now);
                    }

                    @Override
                    public long expireAfterUpdate(String key, Window window, long now, long left) {
                        return Math.max(0, window.endsAtNanos - now);
                    }

                    @Override
                    public long expireAfterRead(String key, Window window, long now, long left) {
                        return left;
                    }
                })
                .build();
    }

    @Override
    public CompletableFuture<Decision> tryAcquire(String key, int max, int windowSeconds) {
        long now = ticker.read();
        Window window = windows.asMap().compute(key, (k, current) -> current == null || now - current.endsAtNanos >= 0
                ? new Window(now + TimeUnit.SECONDS.toNanos(windowSeconds))
                : current);
        if (window.hits.incrementAndGet() <= max) {
            return CompletableFuture.completedFuture(Decision.ALLOWED);
        }
        return CompletableFuture.completedFuture(Decision.refused(TimeUnit.NANOSECONDS.toMillis(window.endsAtNanos - now)));
    }

    /** Keys currently held, ended windows not counted. */
    public long trackedKeys() {
        windows.cleanUp();
        return windows.estimatedSize();
    }

    @Override
    public boolean isHealthy() {
        return true;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public void close() {
        windows.invalidateAll();
    }
}
