package io.herald.channel;

import io.herald.cluster.AdapterEventHandler;
import io.herald.cluster.ChannelSnapshot;
import io.herald.events.ServerEvents;
import io.herald.wire.ChannelType;
import io.herald.wire.ErrorCodes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * This node's channels, per app, and local delivery of published frames. Subscribe and
 * unsubscribe run on the connection's loop; structural changes to an app's channel map go
 * through {@code compute}, so a channel is never dropped while someone joins it.
 */
public final class ChannelRegistry implements AdapterEventHandler {
    private final List<DeliveryLoop> loops = new ArrayList<>();
    private final Map<EventLoop, DeliveryLoop> loopsByEventLoop = new IdentityHashMap<>();
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, PusherChannel>> apps = new ConcurrentHashMap<>();
    private final UserRegistry users = new UserRegistry();
    private final ServerEvents events;

    /** {@code events} gets {@link ServerEvents#broadcast} for each publish that reached a subscriber here, unless it is {@link ServerEvents#NONE}. */
    public ChannelRegistry(EventLoopGroup workers, ServerEvents events) {
        this.events = events;
        for (EventExecutor executor : workers) {
            EventLoop eventLoop = (EventLoop) executor;
            DeliveryLoop loop = new DeliveryLoop(loops.size(), eventLoop);
            loops.add(loop);
            loopsByEventLoop.put(eventLoop, loop);
        }
        if (loops.size() > Long.SIZE) {
            throw new IllegalArgumentException("at most " + Long.SIZE + " worker loops (a publish marks them in a long)");
        }
    }

    public DeliveryLoop loopFor(EventLoop eventLoop) {
        DeliveryLoop loop = loopsByEventLoop.get(eventLoop);
        if (loop == null) {
            throw new IllegalStateException("channel registered on an event loop outside the worker group");
        }
        return loop;
    }

    public List<DeliveryLoop> loops() {
        return loops;
    }

    /** Registers a new connection with its loop (for activity checks and shutdown). */
    public void connected(Connection connection) {
        connection.loop().add(connection);
    }

    /**
     * What happened when a connection tried to join a channel: refused because the presence channel
     * is full; the first connection of its user in the channel on this node; the first subscriber of
     * the channel on this node; the channel's presence members on this node.
     */
    public record JoinOutcome(boolean presenceFull, boolean firstConnectionOfUser, boolean firstSubscriberHere,
                              Map<String, String> presenceMembers) {}

    /**
     * Subscribes {@code connection}; for presence channels also joins its user to the roster
     * (refused when the channel is full, counting {@code membersElsewhere}, the channel's members on
     * other nodes). This node's member list is taken atomically with the join.
     */
    public JoinOutcome subscribe(Connection connection, String channelName, String userId, String userInfoJson,
                                 Map<String, String> membersElsewhere) {
        JoinOutcome[] outcome = new JoinOutcome[1];
        channelsOf(connection.app().id()).compute(channelName, (name, channel) -> {
            boolean first = channel == null;
            if (first) {
                channel = new PusherChannel(name, loops.size());
            }
            if (channel.type() == ChannelType.PRESENCE) {
                PresenceRoster.JoinResult result = channel.roster().join(
                        userId, userInfoJson, connection.app().maxPresenceMembersPerChannel(), membersElsewhere);
                if (result == PresenceRoster.JoinResult.FULL) {
                    outcome[0] = new JoinOutcome(true, false, false, Map.of());
                    return channel.isEmpty() ? null : channel;
                }
                outcome[0] = new JoinOutcome(false, result == PresenceRoster.JoinResult.FIRST_CONNECTION, first,
                        channel.roster().snapshot());
            } else {
                outcome[0] = new JoinOutcome(false, false, first, Map.of());
            }
            channel.add(connection);
            connection.addSubscription(new Connection.Subscription(channel, userId));
            return channel;
        });
        return outcome[0];
    }

    /**
     * What a connection's leaving a channel left behind: the presence user who has now left it
     * entirely on this node (null if none), and whether the channel has no subscriber left here.
     */
    public record Leaving(String channel, String departedUserId, boolean lastSubscriberHere) {}

    /** Removes {@code connection} from a channel; null when it was not subscribed. */
    public Leaving unsubscribe(Connection connection, String channelName) {
        Connection.Subscription subscription = connection.removeSubscription(channelName);
        if (subscription == null) {
            return null;
        }
        Leaving[] leaving = new Leaving[1];
        channelsOf(connection.app().id()).computeIfPresent(channelName, (name, channel) -> {
            channel.remove(connection);
            String departed = subscription.presenceUserId() != null && channel.roster().leave(subscription.presenceUserId())
                    ? subscription.presenceUserId() : null;
            leaving[0] = new Leaving(name, departed, channel.isEmpty());
            return channel.isEmpty() ? null : channel;
        });
        return leaving[0];
    }

    /**
     * What a closed connection leaves behind for others to be told about: each channel it left,
     * and whether the signed-in user has no connection left on this node.
     */
    public record Departure(List<Leaving> channelsLeft, boolean userWentOffline) {}

    /** Removes a closed connection from everything. */
    public Departure disconnected(Connection connection) {
        connection.loop().remove(connection);
        Collection<Connection.Subscription> subscriptions = connection.subscriptions();
        List<Leaving> left = new ArrayList<>(subscriptions.size());
        for (Connection.Subscription subscription : subscriptions) {
            Leaving leaving = unsubscribe(connection, subscription.channel().name());
            if (leaving != null) {
                left.add(leaving);
            }
        }
        boolean offline = connection.userId() != null && users.remove(connection.app().id(), connection.userId(), connection);
        return new Departure(left, offline);
    }

    /** Records a sign-in; returns true when it is the user's first connection on this node. */
    public boolean signedIn(Connection connection) {
        return users.add(connection.app().id(), connection.userId(), connection);
    }

    @Override
    public Set<String> localOnlineUsers(String appId, Set<String> userIds) {
        return users.online(appId, userIds);
    }

    @Override
    public void onTerminateUser(String appId, String userId) {
        for (Connection connection : users.connections(appId, userId)) {
            connection.channel().eventLoop().execute(
                    () -> connection.close(ErrorCodes.UNAUTHORIZED, "Connection terminated by the app"));
        }
    }

    public PusherChannel channel(String appId, String channelName) {
        ConcurrentHashMap<String, PusherChannel> channels = apps.get(appId);
        return channels == null ? null : channels.get(channelName);
    }

    /** This node's presence members of a channel: user id -> user_info JSON. */
    public Map<String, String> channelMembers(String appId, String channelName) {
        PusherChannel channel = channel(appId, channelName);
        return channel == null || channel.roster() == null ? Map.of() : channel.roster().snapshot();
    }

    @Override
    public Map<String, ChannelSnapshot> localChannels(String appId, String prefix) {
        Map<String, ChannelSnapshot> result = new HashMap<>();
        ConcurrentHashMap<String, PusherChannel> channels = apps.get(appId);
        if (channels != null) {
            channels.forEach((name, channel) -> {
                if (name.startsWith(prefix) && !channel.isEmpty() && !ChannelType.isInternal(name)) {
                    result.put(name, channel.snapshot());
                }
            });
        }
        return result;
    }

    @Override
    public ChannelSnapshot localChannel(String appId, String channelName) {
        PusherChannel channel = channel(appId, channelName);
        return channel == null ? ChannelSnapshot.EMPTY : channel.snapshot();
    }

    /** WebSocket messages and bytes per app, summed over the loops (a moment old at most). */
    public Map<String, AppTraffic.Totals> trafficTotals() {
        Map<String, AppTraffic.Totals> totals = new HashMap<>();
        for (DeliveryLoop loop : loops) {
            loop.traffic().forEach((appId, traffic) -> totals.merge(appId, traffic.totals(), AppTraffic.Totals::plus));
        }
        return totals;
    }

    /** Runs {@code action} for each connection on each loop, on that loop. */
    public void forEachConnection(Consumer<Connection> action) {
        for (DeliveryLoop loop : loops) {
            loop.eventLoop().execute(() -> loop.connections().forEach(action));
        }
    }

    @Override
    public void onPublish(String appId, String channelName, ByteBuf frame, String excludeSocketId) {
        try {
            PusherChannel channel = channel(appId, channelName);
            if (channel == null) {
                return;
            }
            // The loops holding subscribers, read once: the metrics' broadcast waits for exactly these.
            int withSubscribers = 0;
            long loopMask = 0;
            for (DeliveryLoop loop : loops) {
                if (channel.shardSize(loop.index()) > 0) {
                    withSubscribers++;
                    loopMask |= 1L << loop.index();
                }
            }
            Broadcast broadcast = events == ServerEvents.NONE || withSubscribers == 0 ? null
                    : new Broadcast(appId, channelName, withSubscribers);
            for (DeliveryLoop loop : loops) {
                int index = loop.index();
                if ((loopMask & (1L << index)) == 0) {
                    continue;
                }
                EventLoop eventLoop = loop.eventLoop();
                if (eventLoop.inEventLoop()) {
                    delivered(broadcast, channel.deliver(index, frame, excludeSocketId));
                } else {
                    frame.retain();
                    eventLoop.execute(() -> {
                        try {
                            delivered(broadcast, channel.deliver(index, frame, excludeSocketId));
                        } finally {
                            frame.release();
                        }
                    });
                }
            }
        } finally {
            frame.release();
        }
    }

    private void delivered(Broadcast broadcast, int recipients) {
        if (broadcast != null && broadcast.loopDone(recipients) && broadcast.recipients.get() > 0) {
            events.broadcast(broadcast.appId, broadcast.channel, broadcast.recipients.get(), System.nanoTime() - broadcast.startedNanos);
        }
    }

    /** One publish being written by the loops that hold its subscribers: the last loop to finish reports it. */
    private static final class Broadcast {
        final String appId;
        final String channel;
        final long startedNanos = System.nanoTime();
        final AtomicInteger loopsLeft;
        final AtomicInteger recipients = new AtomicInteger();

        Broadcast(String appId, String channel, int loops) {
            this.appId = appId;
            this.channel = channel;
            this.loopsLeft = new AtomicInteger(loops);
        }

        boolean loopDone(int delivered) {
            recipients.addAndGet(delivered);
            return loopsLeft.decrementAndGet() == 0;
        }
    }

    private ConcurrentHashMap<String, PusherChannel> channelsOf(String appId) {
        return apps.computeIfAbsent(appId, id -> new ConcurrentHashMap<>());
    }
}
