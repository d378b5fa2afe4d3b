package io.herald.ratelimit;

import io.herald.app.App;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-app limits of the HTTP API, counted on this node: {@code max_backend_events_per_second}
 * (each event on each channel counts) and {@code max_read_requests_per_second} (channel queries).
 * 0 = unlimited. Behind a load balancer spreading requests over N nodes an app can reach N times
 * its limit. A window opens at the first hit and lasts one second; a refused request does not count.
 */
public final class AppRateLimits {
    private static final long SECOND_NANOS = 1_000_000_000L;

    /** One app's two windows. Touched by every loop that serves the app: a short lock is enough. */
    private static final class Counters {
        final Window backendEvents = new Window();
        final Window readRequests = new Window();
    }

    private static final class Window {
        private long startedNanos;
        private int count;

        synchronized boolean tryAdd(int n, int max, long now) {
            if (count == 0 || now - startedNanos >= SECOND_NANOS) {
                startedNanos = now;
                count = 0;
            }
            if (count + n > max) {
                return false;
            }
            count += n;
            return true;
        }
    }

    private final ConcurrentHashMap<String, Counters> apps = new ConcurrentHashMap<>();

    /** Counts {@code events} published events; false (nothing counted) when over the app's limit. */
    public boolean tryBackendEvents(App app, int events) {
        int max = app.maxBackendEventsPerSecond();
        return max <= 0 || counters(app).backendEvents.tryAdd(events, max, System.nanoTime());
    }

    /** Counts one channel query; false when over the app's limit. */
    public boolean tryReadRequest(App app) {
        int max = app.maxReadRequestsPerSecond();
        return max <= 0 || counters(app).readRequests.tryAdd(1, max, System.nanoTime());
    }

    private Counters counters(App app) {
        Counters counters = apps.get(app.id());
        return counters != null ? counters : apps.computeIfAbsent(app.id(), id -> new Counters());
    }
}
