package io.herald.channel;

import io.herald.app.App;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

/**
 * Open connections per app on this node, held against each app's {@code max_connections}
 * together with the app's connections on the other nodes of a cluster, and all of them against
 * the node's own cap (Sockudo's top-level {@code max_connections}).
 */
public final class ConnectionQuota {
    private final ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final int nodeLimit; // 0 = none
    private volatile ToIntFunction<String> openElsewhere = appId -> 0;

    /** No cap on the node as a whole. */
    public ConnectionQuota() {
        this(0);
    }

    /** {@code nodeLimit}: connections this node holds at most, all apps together; 0 for no cap. */
    public ConnectionQuota(int nodeLimit) {
        this.nodeLimit = nodeLimit;
    }

    /** Whether the node holds as many connections as its cap allows (a new one gets 4100, as in Sockudo). */
    public boolean nodeFull() {
        return nodeLimit > 0 && open.get() >= nodeLimit;
    }

    public int nodeLimit() {
        return nodeLimit;
    }

    /** Where to learn how many connections an app has on the other nodes (the cluster adapter). */
    public void countElsewhere(ToIntFunction<String> connectionsOfAppElsewhere) {
        this.openElsewhere = connectionsOfAppElsewhere;
    }

    /** Takes a slot, or returns false when the app is at its limit (0 = unlimited). */
    public boolean tryAcquire(App app) {
        AtomicInteger count = counts.computeIfAbsent(app.id(), id -> new AtomicInteger());
        int elsewhere = app.maxConnections() > 0 ? openElsewhere.applyAsInt(app.id()) : 0;
        while (true) {
            int current = count.get();
            if (app.maxConnections() > 0 && current + elsewhere >= app.maxConnections()) {
                return false;
            }
            if (count.compareAndSet(current, current + 1)) {
                open.incrementAndGet();
                return true;
            }
        }
    }

    public void release(App app) {
        AtomicInteger count = counts.get(app.id());
        if (count != null) {
            count.decrementAndGet();
        }
        if (open.decrementAndGet() == 0) {
            synchronized (open) {
                open.notifyAll();
            }
        }
    }

    /** Waits until every connection has closed; false if some are still open after {@code timeoutMillis}. */
    public boolean awaitNoConnections(long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (open) {
            while (open.get() > 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                try {
                    open.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    /** Connections open on this node per app (apps with none left out). */
    public Map<String, Integer> perApp() {
        Map<String, Integer> snapshot = new HashMap<>();
        counts.forEach((appId, count) -> {
            if (count.get() > 0) {
                snapshot.put(appId, count.get());
            }
        });
        return snapshot;
    }

    /** Connections open on this node, all apps together. */
    public int total() {
        return open.get();
    }
}
