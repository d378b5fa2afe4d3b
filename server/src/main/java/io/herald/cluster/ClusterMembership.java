package io.herald.cluster;

import io.herald.logs.EveryMinute;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.cluster.ClusterMessage.Kind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which nodes are in the cluster: each sends a heartbeat every {@link Timing#heartbeatMillis}
 * (with its connections per app, whether it decides channel facts, and its state's version and
 * digest); a node silent for {@link Timing#nodeTimeoutMillis} is taken as crashed, one that says
 * goodbye leaves at once, and a node that starts again under the same id replaces its earlier
 * boot. Two live nodes with one id are reported as an error (they still count as two).
 *
 * <p>Also when this node decides channel facts: once it has heard every other node's state (or
 * waited {@link Timing#nodeTimeoutMillis}), which its heartbeats then say, and a heartbeat later,
 * when every other node counts it in. Runs on the control thread, but {@link #heard} and the
 * getters.
 */
final class ClusterMembership {
    private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What follows from a node coming or going, and what the heartbeats say of this node's state. */
    interface Listener {
        void joined(Peer peer);

        /** Returns how many presence members left with the node. */
        int gone(Peer peer);

        /** The version of this node's replicated state (see {@link Replicas}). */
        long stateVersion();

        long stateDigest();
    }

    private final ClusterBus bus;
    private final Timing timing;
    private final ControlThread control;
    private final ChannelFacts facts;
    private final Supplier<Map<String, Integer>> localConnections;
    private Listener listener;
    /** Live other nodes: peer -> System.nanoTime() of its last message. */
    private final ConcurrentHashMap<Peer, Long> lastSeen = new ConcurrentHashMap<>();
    /** Live other nodes: peer -> System.nanoTime() of its first message. */
    private final ConcurrentHashMap<Peer, Long> firstHeard = new ConcurrentHashMap<>();
    /** The other nodes' open connections per app, from their last heartbeat. */
    private final ConcurrentHashMap<Peer, Map<String, Integer>> remoteConnections = new ConcurrentHashMap<>();
    /** Other nodes that decide facts (their heartbeat says so). */
    private final Set<Peer> readyPeers = new HashSet<>();
    /** Nodes whose state has not arrived yet. */
    private final Set<Peer> awaitingSync = new HashSet<>();
    private final EveryMinute twinWarnings = new EveryMinute();
    /** The node ids that decide facts, this one's included once it decides. */
    private volatile List<String> decidingNodes = List.of();
    /** Our heartbeats say we decide (the others count us in)... */
    private boolean ready;
    /** ... and, a heartbeat later, we do. */
    private boolean deciding;
    private long startedNanos;

    ClusterMembership(ClusterBus bus, Timing timing, ControlThread control, ChannelFacts facts,
                      Supplier<Map<String, Integer>> localConnections) {
        this.bus = bus;
        this.timing = timing;
        this.control = control;
        this.facts = facts;
        this.localConnections = localConnections;
    }

    void start(Listener listener) {
        this.listener = listener;
        startedNanos = System.nanoTime();
    }

    /** Any thread: {@code peer} sent something, so it is alive; a node not heard of before joins. */
    void heard(Peer peer) {
        long now = System.nanoTime();
        if (lastSeen.put(peer, now) == null) {
            firstHeard.put(peer, now);
            control.execute("node joined", () -> joined(peer));
        }
    }

    private void joined(Peer peer) {
        if (!lastSeen.containsKey(peer)) {
            return; // gone again before this ran
        }
        log.info("cluster node {} joined (via {})", peer, bus.name());
        if (!ready) {
            awaitingSync.add(peer);
        }
        listener.joined(peer);
        warnOfTwins(peer.nodeId());
    }

    /** {@code peer} has just started: an earlier boot of the same node id is gone. */
    void started(Peer peer) {
        for (Peer other : List.copyOf(lastSeen.keySet())) {
            if (other.nodeId().equals(peer.nodeId()) && !other.equals(peer)) {
                gone(other, "started again (boot " + peer.boot() + ")");
            }
        }
    }

    void heartbeat(Peer peer, ClusterMessage heartbeat) {
        if (!lastSeen.containsKey(peer)) {
            return;
        }
        if (heartbeat.bodyLength() > 0) {
            try {
                Map<String, Integer> counts = new HashMap<>();
                JSON.readTree(heartbeat.bytes(), heartbeat.bodyOffset(), heartbeat.bodyLength())
                        .properties().forEach(app -> counts.put(app.getKey(), app.getValue().asInt()));
                remoteConnections.put(peer, counts);
            } catch (IOException e) {
                log.warn("ignored an unreadable heartbeat from {}: {}", peer, e.toString());
            }
        }
        boolean peerReady = "1".equals(heartbeat.field(0));
        if (peerReady ? readyPeers.add(peer) : readyPeers.remove(peer)) {
            decidersChanged();
            facts.reconcileAll();
        }
    }

    void bye(Peer peer) {
        gone(peer, "left the cluster");
    }

    /** {@code peer}'s state arrived (see {@link Replicas}). */
    void synced(Peer peer) {
        if (awaitingSync.remove(peer)) {
            becomeReadyWhenDue();
        }
    }

    /** Every heartbeat interval: say we are alive, drop the silent, decide when due, and warn of twins again. */
    void tick() {
        sendHeartbeat();
        becomeReadyWhenDue();
        long now = System.nanoTime();
        lastSeen.forEach((peer, seen) -> {
            if (now - seen > TimeUnit.MILLISECONDS.toNanos(timing.nodeTimeoutMillis())) {
                gone(peer, "sent nothing for " + timing.nodeTimeoutMillis() + " ms");
            }
        });
        Set<String> ids = new HashSet<>();
        lastSeen.keySet().forEach(peer -> {
            if (!ids.add(peer.nodeId()) || peer.nodeId().equals(bus.self().nodeId())) {
                warnOfTwins(peer.nodeId());
            }
        });
        bus.expireParts();
    }

    private void sendHeartbeat() {
        byte[] connections;
        try {
            connections = JSON.writeValueAsBytes(localConnections.get());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        bus.broadcast(Kind.HEARTBEAT, connections, ready ? "1" : "0",
                Long.toString(listener.stateVersion()), Long.toString(listener.stateDigest()));
    }

    /** A node left or went silent. */
    private void gone(Peer peer, String why) {
        boolean known = lastSeen.remove(peer) != null;
        firstHeard.remove(peer);
        remoteConnections.remove(peer);
        awaitingSync.remove(peer);
        int removed = listener.gone(peer);
        if (readyPeers.remove(peer)) {
            decidersChanged();
            facts.reconcileAll();
        }
        if (known) {
            log.info("cluster node {} {}; {} presence member(s) removed", peer, why, removed);
        }
    }

    /**
     * Two live processes with one node id: each answers to the other's mail and owns the same
     * channels. They stay two nodes for presence and queries, but the operator must hear of it.
     */
    private void warnOfTwins(String nodeId) {
        Peer self = bus.self();
        boolean mine = nodeId.equals(self.nodeId());
        List<Peer> sameId = lastSeen.keySet().stream().filter(peer -> peer.nodeId().equals(nodeId)).toList();
        Set<String> boots = new TreeSet<>();
        for (Peer peer : sameId) {
            // A boot that fell silent before another boot of its id was heard is a restart, not a twin:
            // the new boot's first messages may reach us before its start-up sync replaces the old one.
            if (mine || sameId.stream().anyMatch(other -> other != peer && heardSinceFirst(peer, other))) {
                boots.add(peer.boot());
            }
        }
        if (boots.size() + (mine ? 1 : 0) < 2 || twinWarnings.due(nodeId) < 0) {
            return;
        }
        if (mine) {
            log.error("another node uses this node's id '{}' (this process is boot {}, the other {}): set INSTANCE_PROCESS_ID"
                    + " (instance.process_id) to a different value on each node, or leave it unset for a random one;"
                    + " until then webhooks for channels this id decides may be posted twice", nodeId, self.boot(), boots);
        } else {
            log.error("{} nodes use the same id '{}' (boots {}): set INSTANCE_PROCESS_ID (instance.process_id) to a different"
                    + " value on each node; until then webhooks for channels this id decides may be posted twice",
                    boots.size(), nodeId, boots);
        }
    }

    /** Whether {@code peer} sent something after {@code other} was first heard. */
    private boolean heardSinceFirst(Peer peer, Peer other) {
        Long seen = lastSeen.get(peer);
        Long first = firstHeard.get(other);
        return seen != null && first != null && seen - first > 0;
    }

    /**
     * Ready once the others had time to be heard and each has told us its state (or failed to in
     * time). The heartbeats say so at once, but this node decides only a heartbeat later: by then
     * every other node counts it in, so no channel has two owners while they learn of it.
     */
    private void becomeReadyWhenDue() {
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        if (ready || elapsed < timing.readyAfterMillis() || (!awaitingSync.isEmpty() && elapsed < timing.nodeTimeoutMillis())) {
            return;
        }
        if (!awaitingSync.isEmpty()) {
            log.warn("deciding channel facts without the state of {}: it did not answer within {} ms",
                    awaitingSync, timing.nodeTimeoutMillis());
            awaitingSync.clear();
        }
        ready = true;
        sendHeartbeat(); // the others count us in
        control.schedule("start deciding", () -> {
            deciding = true;
            log.info("deciding channel facts now, with {} other node(s)", readyPeers.size());
            decidersChanged();
            facts.ready();
        }, timing.heartbeatMillis());
    }

    private void decidersChanged() {
        List<String> nodes = new ArrayList<>();
        readyPeers.forEach(peer -> nodes.add(peer.nodeId()));
        if (deciding) {
            nodes.add(bus.self().nodeId());
        }
        decidingNodes = List.copyOf(nodes);
    }

    /** The node ids that decide facts now, as this node counts them. Any thread. */
    List<String> decidingNodes() {
        return decidingNodes;
    }

    /** This node decides the facts of {@code channel}. */
    boolean ownsHere(String appId, String channel) {
        return bus.self().nodeId().equals(ChannelOwners.ownerOf(decidingNodes, appId, channel));
    }

    /** The other live nodes. Any thread. */
    Set<Peer> others() {
        return Set.copyOf(lastSeen.keySet());
    }

    boolean alone() {
        return lastSeen.isEmpty();
    }

    int liveNodes() {
        return 1 + lastSeen.size();
    }

    long oldestHeartbeatAgeMillis() {
        long now = System.nanoTime();
        long oldest = 0;
        for (long seen : lastSeen.values()) {
            oldest = Math.max(oldest, now - seen);
        }
        return TimeUnit.NANOSECONDS.toMillis(oldest);
    }

    int connectionsElsewhere(String appId) {
        int total = 0;
        for (Map<String, Integer> counts : remoteConnections.values()) {
            total += counts.getOrDefault(appId, 0);
        }
        return total;
    }
}
