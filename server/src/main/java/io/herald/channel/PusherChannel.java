package io.herald.channel;

import io.herald.cluster.ChannelSnapshot;
import io.herald.wire.ChannelType;
import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashSet;
import java.util.Set;

/**
 * One channel of one app on this node. Subscribers are sharded by event loop: shard {@code i}
 * is only touched on loop {@code i}, so delivery iterates a plain set with no locks, and a
 * publish costs one task per loop instead of one per subscriber.
 */
public final class PusherChannel {
    private static final VarHandle SHARD_SIZE = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle SUBSCRIPTIONS;

    static {
        try {
            SUBSCRIPTIONS = MethodHandles.lookup().findVarHandle(PusherChannel.class, "subscriptionCount", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final ChannelType type;
    /**
     * Shard i, touched on loop i's thread only: null, the one {@link Connection} there, or a
     * {@code HashSet} of several. Most channels have one subscriber per loop (a user's private
     * channel), and a set for one costs more than the rest of the channel.
     */
    private final Object[] shards;
    /** Shard sizes: written by each shard's loop, read by publishers on any thread (hence the VarHandle, not an AtomicIntegerArray object). */
    private final int[] shardSizes;
    private volatile int subscriptionCount; // changed through SUBSCRIPTIONS from every loop
    private final PresenceRoster roster;

    PusherChannel(String name, int loopCount) {
        this.name = name;
        this.type = ChannelType.of(name);
        this.shards = new Object[loopCount];
        this.shardSizes = new int[loopCount];
        this.roster = type.isPresence() ? new PresenceRoster() : null;
    }

    public String name() {
        return name;
    }

    public ChannelType type() {
        return type;
    }

    public int subscriptionCount() {
        return subscriptionCount;
    }

    /** Distinct presence users on this node (0 for other kinds). */
    public int userCount() {
        return roster == null ? 0 : roster.userCount();
    }

    /** Subscriptions and presence user ids on this node. */
    public ChannelSnapshot snapshot() {
        return new ChannelSnapshot(subscriptionCount, roster == null ? Set.of() : roster.snapshot().keySet());
    }

    PresenceRoster roster() {
        return roster;
    }

    boolean isEmpty() {
        return subscriptionCount == 0;
    }

    int shardSize(int loopIndex) {
        return (int) SHARD_SIZE.getAcquire(shardSizes, loopIndex);
    }

    /** Called on the connection's own loop. */
    void add(Connection connection) {
        int i = connection.loop().index();
        Object shard = shards[i];
        if (shard == null) {
            shards[i] = connection;
        } else if (shard instanceof Connection one) {
            if (one == connection) {
                return;
            }
            HashSet<Connection> several = new HashSet<>(4);
            several.add(one);
            several.add(connection);
            shards[i] = several;
        } else if (!several(shard).add(connection)) {
            return;
        }
        counted(i, 1);
    }

    /** Called on the connection's own loop. */
    void remove(Connection connection) {
        int i = connection.loop().index();
        Object shard = shards[i];
        if (shard == connection) {
            shards[i] = null;
        } else if (shard instanceof HashSet<?> set && set.remove(connection)) {
            if (set.size() == 1) {
                shards[i] = set.iterator().next(); // back to one: no table kept for it
            }
        } else {
            return;
        }
        counted(i, -1);
    }

    private void counted(int loopIndex, int change) {
        SHARD_SIZE.setRelease(shardSizes, loopIndex, shardSizes[loopIndex] + change);
        SUBSCRIPTIONS.getAndAdd(this, change);
    }

    @SuppressWarnings("unchecked")
    private static HashSet<Connection> several(Object shard) {
        return (HashSet<Connection>) shard;
    }

    /** Writes a shared frame to every subscriber on loop {@code loopIndex}; runs on that loop. Returns how many. */
    int deliver(int loopIndex, ByteBuf frame, String excludeSocketId) {
        Object shard = shards[loopIndex];
        if (shard instanceof Connection one) {
            return deliver(one, frame, excludeSocketId) ? 1 : 0;
        }
        if (shard == null) {
            return 0;
        }
        int delivered = 0;
        for (Connection connection : several(shard)) {
            if (deliver(connection, frame, excludeSocketId)) {
                delivered++;
            }
        }
        return delivered;
    }

    private static boolean deliver(Connection connection, ByteBuf frame, String excludeSocketId) {
        if (excludeSocketId != null && excludeSocketId.equals(connection.socketId())) {
            return false;
        }
        connection.sendShared(frame);
        return true;
    }
}
