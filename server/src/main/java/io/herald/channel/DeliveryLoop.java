package io.herald.channel;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * State owned by one event loop: its connections and the ones with unflushed writes.
 * Touched only from that loop's thread, so it needs no locks.
 */
public final class DeliveryLoop {
    private final int index;
    private final EventLoop eventLoop;
    private final ArrayList<Connection> connections = new ArrayList<>();
    private final ArrayList<Connection> unflushed = new ArrayList<>();
    private final Runnable flushAll = this::flushAll;
    private boolean flushScheduled;
    /** Per app; entries are added by this loop and read by the metrics scrape. */
    private final ConcurrentHashMap<String, AppTraffic> traffic = new ConcurrentHashMap<>();

    DeliveryLoop(int index, EventLoop eventLoop) {
        this.index = index;
        this.eventLoop = eventLoop;
    }

    public int index() {
        return index;
    }

    public EventLoop eventLoop() {
        return eventLoop;
    }

    /** The traffic counters of {@code appId}'s connections on this loop (created on this loop). */
    AppTraffic trafficOf(String appId) {
        return traffic.computeIfAbsent(appId, id -> new AppTraffic());
    }

    Map<String, AppTraffic> traffic() {
        return traffic;
    }

    void add(Connection connection) {
        connection.loopSlot = connections.size();
        connections.add(connection);
    }

    void remove(Connection connection) {
        int slot = connection.loopSlot;
        if (slot < 0) {
            return;
        }
        Connection last = connections.remove(connections.size() - 1);
        if (last != connection) {
            connections.set(slot, last);
            last.loopSlot = slot;
        }
        connection.loopSlot = -1;
    }

    /** A snapshot, so callers may close connections while walking it. */
    public List<Connection> connections() {
        return new ArrayList<>(connections);
    }

    /**
     * Flushes once per loop turn instead of once per message: the flush task runs after the
     * tasks already queued, so many deliveries to one socket leave in one syscall.
     */
    void flushLater(Connection connection) {
        if (connection.flushPending) {
            return;
        }
        connection.flushPending = true;
        unflushed.add(connection);
        if (!flushScheduled) {
            flushScheduled = true;
            eventLoop.execute(flushAll);
        }
    }

    private void flushAll() {
        flushScheduled = false;
        for (int i = 0; i < unflushed.size(); i++) {
            Connection connection = unflushed.get(i);
            connection.flushPending = false;
            connection.channel().flush();
        }
        unflushed.clear();
    }
}
