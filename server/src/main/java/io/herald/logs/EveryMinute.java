package io.herald.logs;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one log line a minute per subject: a backend outage fails every request, and a twin
 * node sends a heartbeat every second; neither may flood the log. Counts what it held back.
 */
public final class EveryMinute {
    private static final long PERIOD_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final ConcurrentHashMap<Object, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        long startedNanos;
        final AtomicLong held = new AtomicLong();
    }

    /**
     * -1 when a line about {@code subject} was logged less than a minute ago (this one is counted
     * and held back), else how many were held back since that line (log this one).
     */
    public long due(Object subject) {
        long now = System.nanoTime();
        long[] held = {-1};
        windows.compute(subject, (key, window) -> {
            if (window == null) {
                window = new Window();
            } else if (now - window.startedNanos < PERIOD_NANOS) {
                window.held.incrementAndGet();
                return window;
            }
            window.startedNanos = now;
            held[0] = window.held.getAndSet(0);
            return window;
        });
        return held[0];
    }

    /** Forgets {@code subject}: the next line about it is logged at once. */
    public void reset(Object subject) {
        windows.remove(subject);
    }
}
