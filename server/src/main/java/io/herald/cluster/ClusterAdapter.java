package io.herald.cluster;

import io.herald.cluster.ChannelFacts.Key;
import io.herald.cluster.ClusterMessage.Kind;
import io.herald.events.ServerEvents;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adapter for many nodes sharing a message bus (Redis, Redis Cluster or NATS). It wires four
 * parts, one per job, to one {@link ClusterBus}:
 * <ul>
 *   <li>{@link PublishRelay}: publishes (and terminate_connections) to every node, as frames;</li>
 *   <li>{@link Replicas}: copies of the other nodes' presence members, signed-in users and
 *       occupied channels, which converge after a lost message, and the member and watchlist
 *       events that follow from them;</li>
 *   <li>{@link ClusterQueries}: channel queries asked of every node and merged;</li>
 *   <li>{@link ClusterMembership}: heartbeats, nodes joining, leaving and crashing, and when this
 *       node decides channel facts ({@link ChannelFacts}).</li>
 * </ul>
 * Publishes are handled on the transport's thread; everything else on one control thread, so
 * each subscriber gets exactly one member_added when a user joins anywhere in the cluster, and one
 * member_removed when their last connection anywhere goes.
 */
public final class ClusterAdapter implements Adapter {
    private static final Logger log = LoggerFactory.getLogger(ClusterAdapter.class);
    /** A node silent this long is taken as crashed. */
    public static final long NODE_TIMEOUT_MILLIS = 3500;
    /** Re-subscriptions after one outage come within moments of each other (one per subject or shard): one re-sync for all. */
    private static final long RESYNC_DELAY_MILLIS = 100;

    private final ControlThread control = new ControlThread();
    private final ClusterBus bus;
    private final Timing timing;
    private final ChannelFacts facts;
    private final ClusterMembership membership;
    private final Replicas replicas;
    private final ClusterQueries queries;
    private final PublishRelay relay;
    private final ServerEvents events;
    private final AtomicBoolean resyncDue = new AtomicBoolean();
    private volatile AdapterEventHandler handler;
    /** Set once the transport is up: a node that failed to start has nobody to say goodbye to. */
    private volatile boolean transportStarted;

    public ClusterAdapter(String nodeId, ClusterTransport transport, String prefix, long requestTimeoutMillis,
                          Supplier<Map<String, Integer>> localConnections, ServerEvents events) {
        this(nodeId, transport, prefix, requestTimeoutMillis, localConnections, events, Timing.DEFAULT);
    }

    /** With another clock, for tests of the protocol. */
    ClusterAdapter(String nodeId, ClusterTransport transport, String prefix, long requestTimeoutMillis,
                   Supplier<Map<String, Integer>> localConnections, ServerEvents events, Timing timing) {
        this.events = events;
        this.timing = timing;
        this.bus = new ClusterBus(nodeId, transport, prefix);
        this.facts = new ChannelFacts(new ChannelFacts.View() {
            @Override
            public boolean present(Key key) {
                return replicas.present(key);
            }

            @Override
            public boolean ownsHere(String appId, String channel) {
                return membership.ownsHere(appId, channel);
            }
        }, events, control.executor(), (key, present) -> bus.broadcast(Kind.FACT, (byte[]) null,
                key.appId(), key.channel(), key.userId(), present ? "1" : "0"), timing.holdMillis());
        this.membership = new ClusterMembership(bus, timing, control, facts, localConnections);
        this.replicas = new Replicas(bus, events, facts, timing, membership::synced);
        this.queries = new ClusterQueries(control.executor(), requestTimeoutMillis, membership::others, bus, events);
        this.relay = new PublishRelay(bus);
    }

    @Override
    public void start(AdapterEventHandler handler) {
        this.handler = handler;
        relay.start(handler);
        replicas.start(handler);
        membership.start(new ClusterMembership.Listener() {
            @Override
            public void joined(Peer peer) {
                replicas.peerJoined(peer);
            }

            @Override
            public int gone(Peer peer) {
                int removed = replicas.peerGone(peer);
                bus.forget(peer);
                queries.nodeGone(peer);
                return removed;
            }

            @Override
            public long stateVersion() {
                return replicas.localVersion();
            }

            @Override
            public long stateDigest() {
                return replicas.localDigest();
            }
        });
        bus.start(this::receive, this::resubscribed);
        transportStarted = true;
        // Our (empty) state before anything else: the others drop what an earlier boot under our
        // id left in their copies before they hear of this one, so a restart is no twin.
        control.execute("sync", () -> replicas.sendSync(null));
        control.execute("sync request", () -> bus.broadcast(Kind.SYNC_REQUEST, (byte[]) null));
        control.execute("heartbeat", membership::tick);
        control.every("heartbeat", membership::tick, timing.heartbeatMillis());
    }

    // --- what the node asks of the cluster ---

    @Override
    public CompletionStage<Boolean> publish(String appId, String channel, ByteBuf frame, String excludeSocketId) {
        return relay.publish(appId, channel, frame, excludeSocketId);
    }

    @Override
    public void terminateUserConnections(String appId, String userId) {
        relay.terminateUserConnections(appId, userId);
    }

    @Override
    public Map<String, String> remotePresenceMembers(String appId, String channel) {
        return replicas.remotePresenceMembers(appId, channel);
    }

    @Override
    public void presenceMemberJoined(String appId, String channel, String userId, String userInfoJson, String joiningSocketId) {
        control.execute("presence join", () -> replicas.localJoined(appId, channel, userId, userInfoJson, joiningSocketId));
    }

    @Override
    public void presenceMemberLeft(String appId, String channel, String userId) {
        control.execute("presence leave", () -> replicas.localLeft(appId, channel, userId));
    }

    @Override
    public void userCameOnline(String appId, String userId) {
        control.execute("sign-in", () -> replicas.localJoined(appId, Replicas.SIGNED_IN, userId, null, null));
    }

    @Override
    public void userWentOffline(String appId, String userId) {
        control.execute("sign-out", () -> replicas.localLeft(appId, Replicas.SIGNED_IN, userId));
    }

    @Override
    public void localOccupancyChanged(String appId, String channel) {
        if (events.wantsChannelFacts(appId)) {
            control.execute("occupancy", () -> replicas.localOccupancyChanged(appId, channel));
        }
    }

    @Override
    public CompletableFuture<Map<String, ChannelSnapshot>> channels(String appId, String prefix) {
        return queries.channels(appId, prefix, handler.localChannels(appId, prefix));
    }

    @Override
    public CompletableFuture<ChannelSnapshot> channel(String appId, String channel) {
        return queries.channel(appId, channel, handler.localChannel(appId, channel));
    }

    @Override
    public CompletableFuture<Set<String>> onlineUsers(String appId, Set<String> userIds) {
        // From the signed-in copies, on the thread that announces sign-ins: a sign-in handled
        // before this answer is in it, one handled after reaches the (already subscribed) watcher
        // as "online"; a cluster query could race with the announcement and tell it twice.
        CompletableFuture<Set<String>> online = new CompletableFuture<>();
        if (!control.execute("online users", () -> online.complete(replicas.onlineUsers(appId, userIds)))) {
            online.complete(Set.of());
        }
        return online;
    }

    @Override
    public int connectionsElsewhere(String appId) {
        return membership.connectionsElsewhere(appId);
    }

    @Override
    public int liveNodes() {
        return membership.liveNodes();
    }

    @Override
    public long oldestHeartbeatAgeMillis() {
        return membership.oldestHeartbeatAgeMillis();
    }

    /** The node ids that decide channel facts, as this node counts them (for tests). */
    List<String> decidingNodes() {
        return membership.decidingNodes();
    }

    // --- what the bus brings ---

    /** On the transport's threads: publishes are delivered here, the rest goes to the control thread. */
    private void receive(ClusterMessage message) {
        try {
            dispatch(message);
        } catch (RuntimeException e) {
            // e.g. a delivery racing the shutdown of the event loops; never let it reach the transport
            log.warn("could not handle a cluster {} message: {}", message.kind(), e.toString());
        }
    }

    private void dispatch(ClusterMessage message) {
        if (control.isShutdown()) {
            return; // stopping: the bus may still hand over a message or two
        }
        Peer from = message.sender();
        switch (message.kind()) {
            case BYE -> {
                control.execute("node left", () -> membership.bye(from));
                return;
            }
            // A node that starts again replaces its earlier boot before it joins, so a restart is no twin.
            case SYNC -> {
                if ("1".equals(message.field(1))) {
                    control.execute("node started", () -> membership.started(from));
                }
            }
            default -> { }
        }
        membership.heard(from);
        if (message.kind() == Kind.PUBLISH) {
            relay.received(message);
        } else {
            control.execute(message.kind().name(), () -> handle(from, message));
        }
    }

    private void handle(Peer from, ClusterMessage message) throws Exception {
        switch (message.kind()) {
            case HEARTBEAT -> {
                membership.heartbeat(from, message);
                replicas.heartbeat(from, message.longField(1, -1), message.longField(2, 0));
            }
            case PRESENCE_JOIN, PRESENCE_LEAVE, OCCUPANCY -> replicas.changed(from, message);
            case SYNC_REQUEST -> replicas.sendSync(from);
            case SYNC -> replicas.synced(from, message);
            case QUERY -> queries.asked(from, message, handler);
            case REPLY -> queries.replied(from, message);
            case TERMINATE_USER -> relay.terminateReceived(message);
            case FACT -> facts.announcedElsewhere(new Key(message.field(0), message.field(1), message.field(2)),
                    "1".equals(message.field(3)));
            default -> { }
        }
    }

    /** Our connection came back: what the others published meanwhile is lost to us, so ask them all for their state. */
    private void resubscribed() {
        if (resyncDue.compareAndSet(false, true)) {
            control.schedule("re-sync", () -> {
                resyncDue.set(false);
                replicas.resyncAll();
            }, RESYNC_DELAY_MILLIS);
        }
    }

    @Override
    public boolean isHealthy() {
        return bus.isConnected();
    }

    @Override
    public boolean probe(Duration timeout) {
        return bus.probe(timeout);
    }

    @Override
    public String name() {
        return bus.name();
    }

    /**
     * Says goodbye (others drop our members at once), lets queued presence changes go out, and
     * disconnects once the backend took the goodbye (or after a second).
     */
    @Override
    public void close() {
        CompletableFuture<Boolean> bye = new CompletableFuture<>();
        if (transportStarted) {
            control.execute("bye", () -> {
                if (membership.alone()) {
                    facts.endHolds(); // no node is left to take the held facts over
                }
                bus.broadcast(Kind.BYE, (byte[]) null).whenComplete((taken, error) -> bye.complete(taken));
            });
        }
        control.shutdown(2000);
        try {
            bye.get(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // not taken: the others notice the silence instead
        }
        bus.close();
    }
}
