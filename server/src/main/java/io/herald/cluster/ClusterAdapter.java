package io.herald.cluster;

import java.time.Duration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.cluster.ChannelFacts.Key;
import io.herald.cluster.ClusterMessage.Kind;
import io.herald.events.ServerEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adapter for many nodes sharing a message bus (Redis, Redis Cluster or NATS).
 *
 * <p>Publishes go to this node's subscribers at once and to the other nodes over the bus as
 * ready-made frames. Channel queries (channels, counts, users) go to every live node and wait for
 * their answers at most {@code requestTimeoutMillis}.
 *
 * <p>Presence: every node keeps a copy of the other nodes' presence members, kept current by
 * join/leave messages and a full exchange when a node is first seen. All presence decisions run
 * on one thread ({@code control}), so each subscriber gets exactly one member_added when a user
 * joins anywhere in the cluster, and one member_removed when their last connection anywhere goes.
 * Signed-in users of apps with watchlist events are kept the same way, for "online"/"offline".
 * Nodes send a heartbeat every second; a node silent for {@link #NODE_TIMEOUT_MILLIS} is taken as
 * crashed and its members are removed everywhere (with member_removed) within that time.
 *
 * <p>Channel facts (occupied, vacated, member added and removed) are decided by {@link ChannelFacts}
 * on the same thread: for apps whose facts are wanted, each node also tells the others which
 * channels it has subscribers in, and every announced fact. A node decides only once it is
 * <em>ready</em>: it has heard every other node's state (or waited {@link #NODE_TIMEOUT_MILLIS}),
 * which its heartbeats then say, and a heartbeat has passed for the others to count it in.
 */
public final class ClusterAdapter implements Adapter {
    private static final Logger log = LoggerFactory.getLogger(ClusterAdapter.class);
    static final long HEARTBEAT_INTERVAL_MILLIS = 1000;
    public static final long NODE_TIMEOUT_MILLIS = 3500;
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Signed-in users of apps with watchlist events travel as the members of this pseudo-channel
     * (no client can name a channel with '#'), so "online" and "offline" follow the same rules
     * as member_added and member_removed: once, when the first and last connection anywhere go.
     */
    private static final String SIGNED_IN = "#signed-in";
    /** A node waits this long after starting, to hear every other node's heartbeat, before it decides facts. */
    private static final long READY_AFTER_MILLIS = HEARTBEAT_INTERVAL_MILLIS * 3 / 2;

    private final String nodeId;
    private final ClusterTransport transport;
    private final String broadcastSubject;
    private final String nodeSubjectPrefix;
    /** The one thread for presence decisions, queries and liveness; never blocks. */
    private final ScheduledThreadPoolExecutor control;
    /** Live other nodes: node id -> System.nanoTime() of its last message. */
    private final ConcurrentHashMap<String, Long> lastSeen = new ConcurrentHashMap<>();
    /** The other nodes' presence members; written on {@code control} only. */
    private final ConcurrentHashMap<String, PresenceTable> remotePresence = new ConcurrentHashMap<>();
    /** This node's presence members as announced, in {@code control}'s order. */
    private final PresenceTable localPresence = new PresenceTable();
    private final ClusterQueries queries;
    private volatile AdapterEventHandler handler;
    /** Set once the transport is up: a node that failed to start has nobody to say goodbye to. */
    private volatile boolean transportStarted;
    /** This node's open connections per app, sent with each heartbeat. */
    private final Supplier<Map<String, Integer>> localConnections;
    /** The other nodes' open connections per app, from their last heartbeat. */
    private final ConcurrentHashMap<String, Map<String, Integer>> remoteConnections = new ConcurrentHashMap<>();
    private final ServerEvents events;
    private final ChannelFacts facts;
    /** Channels of apps with wanted facts that have subscribers here, as told to the others; {@code control} only. */
    private final Set<Key> localOccupied = new HashSet<>();
    /** The same, of every other node; {@code control} only. */
    private final Map<String, Set<Key>> remoteOccupied = new HashMap<>();
    /** Other nodes that decide facts (their heartbeat says so); written on {@code control} only. */
    private final Set<String> readyPeers = ConcurrentHashMap.newKeySet();
    /** Nodes asked for their state and not heard from yet; {@code control} only. */
    private final Set<String> awaitingSync = new HashSet<>();
    /** The nodes that decide facts, this one included once ready; {@code control} only. */
    private List<String> decidingNodes = List.of();
    /** Our heartbeats say we decide (the others count us in)... */
    private boolean ready;
    /** ... and, a heartbeat later, we do. */
    private boolean deciding;
    private long startedNanos;

    public ClusterAdapter(String nodeId, ClusterTransport transport, String prefix, long requestTimeoutMillis,
                          Supplier<Map<String, Integer>> localConnections, ServerEvents events) {
        this.nodeId = nodeId;
        this.events = events;
        this.localConnections = localConnections;
        this.transport = transport;
        this.broadcastSubject = prefix + "broadcast";
        this.nodeSubjectPrefix = prefix + "node.";
        this.control = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "herald-cluster");
            thread.setDaemon(true);
            return thread;
        });
        control.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.queries = new ClusterQueries(control, requestTimeoutMillis, lastSeen::keySet,
                (id, query, appId, argument) -> broadcast(Kind.QUERY, null, id, query, appId, argument), events);
        this.facts = new ChannelFacts(new ChannelFacts.View() {
            @Override
            public boolean present(Key key) {
                return key.isMember() ? ClusterAdapter.this.present(key.appId(), key.channel(), key.userId()) : occupiedAnywhere(key);
            }

            @Override
            public boolean ownsHere(String appId, String channel) {
                return nodeId.equals(ChannelOwners.ownerOf(decidingNodes, appId, channel));
            }
        }, events, control, (key, present) -> broadcast(Kind.FACT, null, key.appId(), key.channel(), key.userId(), present ? "1" : "0"));
    }

    @Override
    public void start(AdapterEventHandler handler) {
        this.handler = handler;
        startedNanos = System.nanoTime();
        transport.start(List.of(broadcastSubject, nodeSubject(nodeId)), this::receive);
        transportStarted = true;
        control.execute(() -> guarded("heartbeat", this::heartbeat));
        // Our (empty) state first: a node that restarts under the same id before the others noticed
        // must not leave its previous life's members and channels in their copies.
        control.execute(() -> guarded("sync", () -> broadcast(Kind.SYNC, syncBody())));
        broadcast(Kind.SYNC_REQUEST, null);
        control.scheduleAtFixedRate(() -> guarded("heartbeat", this::heartbeat),
                HEARTBEAT_INTERVAL_MILLIS, HEARTBEAT_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    // --- publishing ---

    @Override
    public void publish(String appId, String channel, ByteBuf frame, String excludeSocketId) {
        transport.publish(broadcastSubject, ClusterMessage.encode(Kind.PUBLISH, nodeId, frame, appId, channel, excludeSocketId));
        handler.onPublish(appId, channel, frame, excludeSocketId);
    }

    @Override
    public void terminateUserConnections(String appId, String userId) {
        broadcast(Kind.TERMINATE_USER, null, appId, userId);
        handler.onTerminateUser(appId, userId);
    }

    // --- presence ---

    @Override
    public Map<String, String> remotePresenceMembers(String appId, String channel) {
        Map<String, String> members = new LinkedHashMap<>();
        remotePresence.values().forEach(table -> table.copyMembers(appId, channel, members));
        return members;
    }

    @Override
    public void presenceMemberJoined(String appId, String channel, String userId, String userInfoJson, String joiningSocketId) {
        control.execute(() -> guarded("presence join", () -> localJoined(appId, channel, userId, userInfoJson, joiningSocketId)));
    }

    @Override
    public void presenceMemberLeft(String appId, String channel, String userId) {
        control.execute(() -> guarded("presence leave", () -> localLeft(appId, channel, userId)));
    }

    @Override
    public void userCameOnline(String appId, String userId) {
        control.execute(() -> guarded("sign-in", () -> localJoined(appId, SIGNED_IN, userId, null, null)));
    }

    @Override
    public void userWentOffline(String appId, String userId) {
        control.execute(() -> guarded("sign-out", () -> localLeft(appId, SIGNED_IN, userId)));
    }

    private void localJoined(String appId, String channel, String userId, String userInfoJson, String joiningSocketId) {
        boolean elsewhere = presentRemotely(appId, channel, userId);
        localPresence.add(appId, channel, userId, userInfoJson);
        broadcast(Kind.PRESENCE_JOIN, null, appId, channel, userId, userInfoJson);
        if (!elsewhere) {
            announceJoined(appId, channel, userId, userInfoJson, joiningSocketId);
        }
        memberChanged(appId, channel, userId);
    }

    private void localLeft(String appId, String channel, String userId) {
        localPresence.remove(appId, channel, userId);
        broadcast(Kind.PRESENCE_LEAVE, null, appId, channel, userId);
        if (!presentRemotely(appId, channel, userId)) {
            announceLeft(appId, channel, userId);
        }
        memberChanged(appId, channel, userId);
    }

    private void remoteJoined(String node, String appId, String channel, String userId, String userInfoJson) {
        boolean present = localPresence.has(appId, channel, userId) || presentRemotely(appId, channel, userId);
        tableOf(node).add(appId, channel, userId, userInfoJson);
        if (!present) {
            announceJoined(appId, channel, userId, userInfoJson, null);
        }
        memberChanged(appId, channel, userId);
    }

    private void remoteLeft(String node, String appId, String channel, String userId) {
        if (tableOf(node).remove(appId, channel, userId) && !present(appId, channel, userId)) {
            announceLeft(appId, channel, userId);
        }
        memberChanged(appId, channel, userId);
    }

    /** A node's full member list replaces our copy; differences are announced as joins and leaves. */
    private void synced(String node, PresenceTable members) {
        PresenceTable old = tableOf(node);
        old.forEach((appId, channel, userId) -> {
            if (!members.has(appId, channel, userId)) {
                remoteLeft(node, appId, channel, userId);
            }
        });
        members.forEach((appId, channel, userId) -> {
            if (!old.has(appId, channel, userId)) {
                remoteJoined(node, appId, channel, userId, members.userInfo(appId, channel, userId));
            }
        });
    }

    private boolean present(String appId, String channel, String userId) {
        return localPresence.has(appId, channel, userId) || presentRemotely(appId, channel, userId);
    }

    private boolean presentRemotely(String appId, String channel, String userId) {
        for (PresenceTable table : remotePresence.values()) {
            if (table.has(appId, channel, userId)) {
                return true;
            }
        }
        return false;
    }

    /** To this node's subscribers: member_added, or "online" to the user's watchers. */
    private void announceJoined(String appId, String channel, String userId, String userInfoJson, String excludeSocketId) {
        if (channel.equals(SIGNED_IN)) {
            handler.deliverWatchlistStatus(appId, userId, "online");
        } else {
            handler.deliverMemberAdded(appId, channel, userId, userInfoJson, excludeSocketId);
        }
    }

    /** To this node's subscribers: member_removed, or "offline" to the user's watchers. */
    private void announceLeft(String appId, String channel, String userId) {
        if (channel.equals(SIGNED_IN)) {
            handler.deliverWatchlistStatus(appId, userId, "offline");
        } else {
            handler.deliverMemberRemoved(appId, channel, userId);
        }
    }

    private PresenceTable tableOf(String node) {
        return remotePresence.computeIfAbsent(node, id -> new PresenceTable());
    }

    // --- channel facts (all on control) ---

    private boolean tracked(String appId, String channel) {
        return !channel.equals(SIGNED_IN) && events.wantsChannelFacts(appId);
    }

    private void memberChanged(String appId, String channel, String userId) {
        if (tracked(appId, channel)) {
            facts.changed(Key.member(appId, channel, userId));
        }
    }

    @Override
    public void localOccupancyChanged(String appId, String channel) {
        if (!events.wantsChannelFacts(appId)) {
            return;
        }
        control.execute(() -> guarded("occupancy", () -> {
            // Judged by the registry's state now, so changes from two loops cannot arrive in the wrong order.
            boolean occupied = handler.localChannel(appId, channel).occupied();
            Key key = Key.channel(appId, channel);
            if (occupied ? localOccupied.add(key) : localOccupied.remove(key)) {
                broadcast(Kind.OCCUPANCY, null, appId, channel, occupied ? "1" : "0");
                facts.changed(key);
            }
        }));
    }

    private void remoteOccupancy(String node, Key key, boolean occupied) {
        Set<Key> channels = remoteOccupied.computeIfAbsent(node, id -> new HashSet<>());
        if (occupied ? channels.add(key) : channels.remove(key)) {
            facts.changed(key);
        }
    }

    private boolean occupiedAnywhere(Key channel) {
        if (localOccupied.contains(channel)) {
            return true;
        }
        for (Set<Key> channels : remoteOccupied.values()) {
            if (channels.contains(channel)) {
                return true;
            }
        }
        return false;
    }

    /** Our part of the cluster's state, for a node that asks: presence members, occupied channels, facts we announced. */
    private byte[] syncBody() throws IOException {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.set("presence", localPresence.toJson());
        ObjectNode occupied = body.putObject("occupied");
        for (Key key : localOccupied) {
            (occupied.has(key.appId()) ? (ArrayNode) occupied.get(key.appId()) : occupied.putArray(key.appId())).add(key.channel());
        }
        ArrayNode announced = body.putArray("announced");
        for (Key key : facts.announcedHere()) {
            announced.addArray().add(key.appId()).add(key.channel()).add(key.userId());
        }
        return JSON.writeValueAsBytes(body);
    }

    /**
     * A node's whole state replaces our copy of it; the differences count as changes. The facts it
     * announced go first, so that what it already posted is not taken for news.
     */
    private void synced(String node, JsonNode body) throws IOException {
        events.presenceResynced();
        body.path("announced").forEach(fact -> facts.announcedElsewhere(new Key(fact.path(0).asText(),
                fact.path(1).asText(), fact.path(2).isTextual() ? fact.path(2).asText() : null), true));
        synced(node, PresenceTable.fromJson(body.path("presence")));
        Set<Key> occupied = new HashSet<>();
        body.path("occupied").properties().forEach(app ->
                app.getValue().forEach(channel -> occupied.add(Key.channel(app.getKey(), channel.asText()))));
        Set<Key> before = remoteOccupied.getOrDefault(node, Set.of());
        remoteOccupied.put(node, occupied);
        for (Key key : before) {
            if (!occupied.contains(key)) {
                facts.changed(key);
            }
        }
        for (Key key : occupied) {
            if (!before.contains(key)) {
                facts.changed(key);
            }
        }
        if (awaitingSync.remove(node)) {
            becomeReadyWhenDue();
        }
    }

    /**
     * Ready once the others had time to be heard and each has told us its state (or failed to in
     * time). The heartbeats say so at once, but this node decides only a heartbeat later: by then
     * every other node counts it in, so no channel has two owners while they learn of it.
     */
    private void becomeReadyWhenDue() throws IOException {
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        if (ready || elapsed < READY_AFTER_MILLIS || (!awaitingSync.isEmpty() && elapsed < NODE_TIMEOUT_MILLIS)) {
            return;
        }
        if (!awaitingSync.isEmpty()) {
            log.warn("deciding channel facts without the state of {}: it did not answer within {} ms",
                    awaitingSync, NODE_TIMEOUT_MILLIS);
            awaitingSync.clear();
        }
        ready = true;
        sendHeartbeat(); // the others count us in
        control.schedule(() -> guarded("start deciding", () -> {
            deciding = true;
            log.info("deciding channel facts now, with {} other node(s)", readyPeers.size());
            decidersChanged();
            facts.ready();
        }), HEARTBEAT_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void peerReadiness(String node, boolean peerReady) {
        if (lastSeen.containsKey(node) && (peerReady ? readyPeers.add(node) : readyPeers.remove(node))) {
            decidersChanged();
            facts.reconcileAll();
        }
    }

    private void decidersChanged() {
        List<String> nodes = new ArrayList<>(readyPeers);
        if (deciding) {
            nodes.add(nodeId);
        }
        decidingNodes = List.copyOf(nodes);
    }

    // --- queries ---

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
        try {
            control.execute(() -> {
                Set<String> present = new HashSet<>();
                for (String userId : userIds) {
                    if (present(appId, SIGNED_IN, userId)) {
                        present.add(userId);
                    }
                }
                online.complete(present);
            });
        } catch (RejectedExecutionException stopping) {
            online.complete(Set.of());
        }
        return online;
    }

    // --- the bus ---

    /** Called on the transport's thread: publishes are delivered here, the rest goes to {@code control}. */
    private void receive(String subject, byte[] bytes) {
        try {
            dispatch(subject, bytes);
        } catch (RuntimeException e) {
            // e.g. a delivery racing the shutdown of the event loops; never let it reach the transport
            log.warn("could not handle a cluster message on {}: {}", subject, e.toString());
        }
    }

    private void dispatch(String subject, byte[] bytes) {
        if (control.isShutdown()) {
            return; // stopping: the bus may still hand over a message or two
        }
        ClusterMessage message = ClusterMessage.decode(bytes);
        if (message == null) {
            log.warn("ignored an unreadable message on {} ({} bytes)", subject, bytes.length);
            return;
        }
        String origin = message.origin();
        if (origin.equals(nodeId)) {
            return; // Redis echoes our own publishes back to us
        }
        if (message.kind() == Kind.BYE) {
            control.execute(() -> guarded("node left", () -> nodeGone(origin, "left the cluster")));
            return;
        }
        if (lastSeen.put(origin, System.nanoTime()) == null) {
            control.execute(() -> guarded("node joined", () -> nodeJoined(origin)));
        }
        if (message.kind() == Kind.PUBLISH) {
            // One direct copy for all local subscribers (sockets write direct buffers without copying again).
            ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer(message.bodyLength());
            frame.writeBytes(bytes, message.bodyOffset(), message.bodyLength());
            handler.onPublish(message.field(0), message.field(1), frame, message.field(2));
        } else if (message.kind() == Kind.HEARTBEAT) {
            heard(origin, message);
            boolean peerReady = "1".equals(message.field(0));
            if (peerReady != readyPeers.contains(origin)) {
                control.execute(() -> guarded("readiness", () -> peerReadiness(origin, peerReady)));
            }
        } else {
            control.execute(() -> guarded(message.kind().name(), () -> handle(message)));
        }
    }

    private void heard(String node, ClusterMessage heartbeat) {
        if (heartbeat.bodyLength() == 0) {
            return;
        }
        try {
            Map<String, Integer> counts = new HashMap<>();
            JSON.readTree(heartbeat.bytes(), heartbeat.bodyOffset(), heartbeat.bodyLength())
                    .properties().forEach(app -> counts.put(app.getKey(), app.getValue().asInt()));
            remoteConnections.put(node, counts);
        } catch (IOException e) {
            log.warn("ignored an unreadable heartbeat from {}: {}", node, e.toString());
        }
    }

    @Override
    public long oldestHeartbeatAgeMillis() {
        long now = System.nanoTime();
        long oldest = 0;
        for (long seen : lastSeen.values()) {
            oldest = Math.max(oldest, now - seen);
        }
        return TimeUnit.NANOSECONDS.toMillis(oldest);
    }

    @Override
    public int liveNodes() {
        return 1 + lastSeen.size();
    }

    @Override
    public int connectionsElsewhere(String appId) {
        int total = 0;
        for (Map<String, Integer> counts : remoteConnections.values()) {
            total += counts.getOrDefault(appId, 0);
        }
        return total;
    }

    private void handle(ClusterMessage message) throws IOException {
        String origin = message.origin();
        switch (message.kind()) {
            case PRESENCE_JOIN -> remoteJoined(origin, message.field(0), message.field(1), message.field(2), message.field(3));
            case PRESENCE_LEAVE -> remoteLeft(origin, message.field(0), message.field(1), message.field(2));
            case SYNC_REQUEST -> send(nodeSubject(origin), Kind.SYNC, syncBody());
            case SYNC -> synced(origin, JSON.readTree(message.bytes(), message.bodyOffset(), message.bodyLength()));
            case OCCUPANCY -> remoteOccupancy(origin, Key.channel(message.field(0), message.field(1)), "1".equals(message.field(2)));
            case FACT -> facts.announcedElsewhere(new Key(message.field(0), message.field(1), message.field(2)),
                    "1".equals(message.field(3)));
            case QUERY -> {
                events.clusterRequestReceived(message.field(2));
                JsonNode answer = ClusterQueries.answer(message.field(1), message.field(2), message.field(3), handler);
                send(nodeSubject(origin), Kind.REPLY, answer == null ? null : JSON.writeValueAsBytes(answer), message.field(0));
            }
            case REPLY -> queries.replied(origin, message.field(0), message.bodyLength() == 0 ? null
                    : JSON.readTree(message.bytes(), message.bodyOffset(), message.bodyLength()));
            case TERMINATE_USER -> handler.onTerminateUser(message.field(0), message.field(1));
            default -> { }
        }
    }

    private void nodeJoined(String node) {
        log.info("cluster node {} joined (via {})", node, transport.name());
        tableOf(node);
        if (!ready) {
            awaitingSync.add(node);
        }
        send(nodeSubject(node), Kind.SYNC_REQUEST, null);
    }

    /** A node left or went silent: its members leave every channel they are in nowhere else. */
    private void nodeGone(String node, String why) {
        lastSeen.remove(node);
        remoteConnections.remove(node);
        PresenceTable members = remotePresence.remove(node);
        int[] removed = new int[1];
        if (members != null) {
            members.forEach((appId, channel, userId) -> {
                if (!present(appId, channel, userId)) {
                    announceLeft(appId, channel, userId);
                    removed[0]++;
                }
                memberChanged(appId, channel, userId);
            });
        }
        Set<Key> occupied = remoteOccupied.remove(node);
        if (occupied != null) {
            occupied.forEach(facts::changed);
        }
        awaitingSync.remove(node);
        if (readyPeers.remove(node)) {
            decidersChanged();
            facts.reconcileAll();
        }
        queries.nodeGone(node);
        log.info("cluster node {} {}; {} presence member(s) removed", node, why, removed[0]);
    }

    /** {@link Kind#HEARTBEAT} carries this node's connections per app: {@code {app id: count}}. */
    private void heartbeat() throws IOException {
        sendHeartbeat();
        becomeReadyWhenDue();
        long now = System.nanoTime();
        lastSeen.forEach((node, seen) -> {
            if (now - seen > TimeUnit.MILLISECONDS.toNanos(NODE_TIMEOUT_MILLIS)) {
                nodeGone(node, "sent nothing for " + NODE_TIMEOUT_MILLIS + " ms");
            }
        });
    }

    private void sendHeartbeat() throws IOException {
        broadcast(Kind.HEARTBEAT, JSON.writeValueAsBytes(localConnections.get()), ready ? "1" : "0");
    }

    /**
     * The subject only {@code node} listens to. Node ids are free text (instance.process_id), but a
     * NATS subject token takes no spaces, dots or wildcards: those become '_'. The message itself
     * still names its sender exactly.
     */
    private String nodeSubject(String node) {
        return nodeSubjectPrefix + node.replaceAll("[^A-Za-z0-9_\\-]", "_");
    }

    private void broadcast(Kind kind, byte[] body, String... fields) {
        send(broadcastSubject, kind, body, fields);
    }

    private void send(String subject, Kind kind, byte[] body, String... fields) {
        transport.publish(subject, ClusterMessage.encode(kind, nodeId, body == null ? null : Unpooled.wrappedBuffer(body), fields));
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /** Runs a step on {@code control}; a failure is logged and never stops the thread's other work. */
    private static void guarded(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            log.warn("cluster {} failed: {}", what, e.toString(), e);
        }
    }

    @Override
    public boolean isHealthy() {
        return transport.isConnected();
    }

    @Override
    public boolean probe(Duration timeout) {
        return transport.probe(timeout);
    }

    @Override
    public String name() {
        return transport.name();
    }

    /** Says goodbye (others drop our members at once), lets queued presence changes go out, then disconnects. */
    @Override
    public void close() {
        if (transportStarted) {
            control.execute(() -> guarded("bye", () -> {
                if (lastSeen.isEmpty()) {
                    facts.endHolds(); // no node is left to take the held facts over
                }
                broadcast(Kind.BYE, null);
            }));
        }
        control.shutdown();
        try {
            control.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        transport.close();
    }
}
