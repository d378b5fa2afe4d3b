package io.herald.channel;

import io.herald.cluster.ChannelSnapshot;
import io.herald.wire.ChannelType;
import io.netty.buffer.ByteBuf;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * One channel of one app on this node. Subscribers are sharded by event loop: shard {@code i}
 * is only touched on loop {@code i}, so delivery iterates a plain set with no locks, and a
 * publish costs one task per loop instead of one per subscriber.
 */
public final class PusherChannel {
    private final String name;
    private final ChannelType type;
    private final HashSet<Connection>[] shards; // shard i: loop i's thread only, created on first use
    private final AtomicIntegerArray shardSizes; // read by publishers on any thread
    private final AtomicInteger subscriptionCount = new AtomicInteger();
    private final PresenceRoster roster;

    @SuppressWarnings("unchecked")
    PusherChannel(String name, int loopCount) {
        this.name = name;
        this.type = ChannelType.of(name);
        this.shards = new HashSet[loopCount];
        this.shardSizes = new AtomicIntegerArray(loopCount);
        this.roster = type.isPresence() ? new PresenceRoster() : null;
    }

    public String name() {
        return name;
    }

    public ChannelType type() {
        return type;
    }

    public int subscriptionCount() {
        return subscriptionCount.get();
    }

    /** Distinct presence users on this node (0 for other kinds). */
    public int userCount() {
        return roster == null ? 0 : roster.userCount();
    }

    /** Subscriptions and presence user ids on this node. */
    public ChannelSnapshot snapshot() {
        return new ChannelSnapshot(subscriptionCount.get(), roster == null ? Set.of() : roster.snapshot().keySet());
    }

    PresenceRoster roster() {
        return roster;
    }

    boolean isEmpty() {
        return subscriptionCount.get() == 0;
    }

    int shardSize(int loopIndex) {
        return shardSizes.get(loopIndex);
    }

    /** Called on the connection's own loop. */
    void add(Connection connection) {
        int i = connection.loop().index();
        HashSet<Connection> shard = shards[i];
        if (shard == null) {
            shard = new HashSet<>(4);
            shards[i] = shard;
        }
        if (shard.add(connection)) {
            shardSizes.incrementAndGet(i);
            subscriptionCount.incrementAndGet();
        }
    }

    /** Called on the connection's own loop. */
    void remove(Connection connection) {
        int i = connection.loop().index();
        HashSet<Connection> shard = shards[i];
        if (shard != null && shard.remove(connection)) {
            shardSizes.decrementAndGet(i);
            subscriptionCount.decrementAndGet();
            if (shard.isEmpty()) {
                shards[i] = null; // a channel that emptied on this loop keeps no table
            }
        }
    }

    /** Writes a shared frame to every subscriber on loop {@code loopIndex}; runs on that loop. Returns how many. */
    int deliver(int loopIndex, ByteBuf frame, String excludeSocketId) {
        HashSet<Connection> shard = shards[loopIndex];
        if (shard == null) {
            return 0;
        }
        int delivered = 0;
        for (Connection connection : shard) {
            if (excludeSocketId == null || !excludeSocketId.equals(connection.socketId())) {
                connection.sendShared(frame);
                delivered++;
            }
        }
        return delivered;
    }
}
