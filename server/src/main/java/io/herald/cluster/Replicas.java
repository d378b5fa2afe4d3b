package io.herald.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.cluster.ChannelFacts.Key;
import io.herald.cluster.ClusterMessage.Kind;
import io.herald.events.ServerEvents;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's copies of the other nodes' presence members, signed-in users and occupied
 * channels (see {@link ReplicatedState}), and tells this node's subscribers what changed: one
 * member_added when a user first joins anywhere in the cluster, one member_removed when their
 * last connection anywhere goes ("online"/"offline" for signed-in users), and every change of
 * presence or occupancy to {@link ChannelFacts}.
 *
 * <p>How the copies converge although the bus may lose any message: every change a node makes
 * goes out with the next version of its state (1, 2, 3 ... for each boot). A copy applies changes
 * in version order; one that skips a version is held, and its node asked for a sync. Every
 * heartbeat carries its sender's version and digest; a copy at another version, or with another
 * digest, asks for a sync as well, and so does this node when its own connection to the bus comes
 * back. A sync carries the node's whole state at a version: it replaces the copy (the differences
 * are announced as joins and leaves), and the held changes that follow it are applied. A lost
 * message is thus repaired by the next heartbeat and one round trip.
 *
 * <p>Confined to the adapter's control thread, except {@link #remotePresenceMembers}.
 */
final class Replicas {
    private static final Logger log = LoggerFactory.getLogger(Replicas.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Signed-in users of apps with watchlist events travel as the members of this pseudo-channel
     * (no client can name a channel with '#'), so "online" and "offline" follow the same rules
     * as member_added and member_removed: once, when the first and last connection anywhere go.
     */
    static final String SIGNED_IN = "#signed-in";
    private final ClusterBus bus;
    private final ServerEvents events;
    private final ChannelFacts facts;
    private final Timing timing;
    /** Told when a node's state first arrived (ClusterMembership waits for every node's). */
    private final Consumer<Peer> firstSync;
    private final ReplicatedState local = new ReplicatedState();
    private long localVersion;
    private final ConcurrentHashMap<Peer, PeerCopy> copies = new ConcurrentHashMap<>();
    private AdapterEventHandler handler;

    Replicas(ClusterBus bus, ServerEvents events, ChannelFacts facts, Timing timing, Consumer<Peer> firstSync) {
        this.bus = bus;
        this.events = events;
        this.facts = facts;
        this.timing = timing;
        this.firstSync = firstSync;
    }

    void start(AdapterEventHandler handler) {
        this.handler = handler;
    }

    // --- this node's changes ---

    void localJoined(String appId, String channel, String userId, String userInfoJson, String joiningSocketId) {
        boolean elsewhere = presentRemotely(appId, channel, userId);
        local.join(appId, channel, userId, userInfoJson);
        bus.broadcast(Kind.PRESENCE_JOIN, (byte[]) null, nextVersion(), appId, channel, userId, userInfoJson);
        if (!elsewhere) {
            announceJoined(appId, channel, userId, userInfoJson, joiningSocketId);
        }
        memberChanged(appId, channel, userId);
    }

    void localLeft(String appId, String channel, String userId) {
        local.leave(appId, channel, userId);
        bus.broadcast(Kind.PRESENCE_LEAVE, (byte[]) null, nextVersion(), appId, channel, userId);
        if (!presentRemotely(appId, channel, userId)) {
            announceLeft(appId, channel, userId);
        }
        memberChanged(appId, channel, userId);
    }

    /** Judged by the registry's state now, so changes from two loops cannot arrive in the wrong order. */
    void localOccupancyChanged(String appId, String channel) {
        boolean occupied = handler.localChannel(appId, channel).occupied();
        Key key = Key.channel(appId, channel);
        if (local.occupancy(key, occupied)) {
            bus.broadcast(Kind.OCCUPANCY, (byte[]) null, nextVersion(), appId, channel, occupied ? "1" : "0");
            facts.changed(key);
        }
    }

    private String nextVersion() {
        return Long.toString(++localVersion);
    }

    long localVersion() {
        return localVersion;
    }

    long localDigest() {
        return local.digest();
    }

    // --- syncs ---

    /** Our whole state, to {@code peer} (which asked), or to every node when this one starts. */
    void sendSync(Peer peer) throws IOException {
        if (peer == null) {
            bus.broadcast(Kind.SYNC, syncBody(), Long.toString(localVersion), "1");
        } else {
            bus.sendTo(peer, Kind.SYNC, syncBody(), Long.toString(localVersion), "0");
        }
    }

    /** Presence members, occupied channels and the facts we announced. */
    private byte[] syncBody() throws IOException {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.set("presence", local.presence().toJson());
        body.set("occupied", local.occupiedJson());
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
    void synced(Peer peer, ClusterMessage sync) throws IOException {
        PeerCopy copy = copies.get(peer);
        long version = sync.longField(0, -1);
        if (copy == null || version < 0 || !copy.takes(version)) {
            return; // a node we no longer know, or an answer older than what the copy has
        }
        JsonNode body = JSON.readTree(sync.bytes(), sync.bodyOffset(), sync.bodyLength());
        events.presenceResynced();
        body.path("announced").forEach(fact -> facts.announcedElsewhere(new Key(fact.path(0).asText(),
                fact.path(1).asText(), fact.path(2).isTextual() ? fact.path(2).asText() : null), true));
        replace(copy, PresenceTable.fromJson(body.path("presence")), ReplicatedState.occupiedFromJson(body.path("occupied")));
        copy.synced(version).forEach(change -> apply(copy, change));
        if (copy.missing()) {
            ask(peer, copy, "a change after its sync (version " + (copy.version() + 1) + ") never came");
        }
        if (copy.firstSync()) {
            firstSync.accept(peer);
        }
    }

    private void replace(PeerCopy copy, PresenceTable members, Set<Key> occupied) {
        List<String[]> gone = new ArrayList<>();
        copy.state.presence().forEach((appId, channel, userId) -> {
            if (!members.has(appId, channel, userId)) {
                gone.add(new String[] {appId, channel, userId});
            }
        });
        gone.forEach(member -> remoteLeft(copy, member[0], member[1], member[2]));
        members.forEach((appId, channel, userId) -> {
            String info = members.userInfo(appId, channel, userId);
            if (copy.state.has(appId, channel, userId)) {
                copy.state.join(appId, channel, userId, info); // the user_info may have changed
            } else {
                remoteJoined(copy, appId, channel, userId, info);
            }
        });
        for (Key key : copy.state.occupiedChannels()) {
            if (!occupied.contains(key)) {
                remoteOccupancy(copy, key, false);
            }
        }
        for (Key key : occupied) {
            remoteOccupancy(copy, key, true);
        }
    }

    /**
     * A heartbeat says where {@code peer}'s state is; a copy anywhere else asks for a sync. Both
     * travel on the broadcast subject in the order they were sent, so every change the heartbeat
     * counts has arrived before it unless it was lost.
     */
    void heartbeat(Peer peer, long version, long digest) {
        PeerCopy copy = copies.get(peer);
        if (copy == null || version < 0) {
            return;
        }
        if (!copy.following()) {
            ask(peer, copy, null); // waiting for a sync already: ask again if it is overdue
        } else if (copy.version() < version) {
            ask(peer, copy, "its heartbeat is at version " + version + ", our copy at " + copy.version());
        } else if (copy.version() > version) {
            copy.distrust();
            ask(peer, copy, "our copy is at version " + copy.version() + ", ahead of its heartbeat's " + version);
        } else if (copy.state.digest() != digest) {
            ask(peer, copy, "our copy differs from its state at version " + version);
        }
    }

    /** This node missed what was published while its connection was down: every node is asked for its state. */
    void resyncAll() {
        if (copies.isEmpty()) {
            return;
        }
        log.info("re-syncing with every cluster node: this node listens again after losing its {} connection", bus.name());
        long now = System.nanoTime();
        copies.values().forEach(copy -> copy.askedNanos = now);
        bus.broadcast(Kind.SYNC_REQUEST, (byte[]) null);
    }

    private void ask(Peer peer, PeerCopy copy, String why) {
        long now = System.nanoTime();
        if (copy.askedNanos != 0 && now - copy.askedNanos < TimeUnit.MILLISECONDS.toNanos(timing.syncRetryMillis())) {
            return;
        }
        copy.askedNanos = now;
        if (why != null) {
            log.info("re-syncing with cluster node {}: {}", peer, why);
        }
        bus.sendTo(peer, Kind.SYNC_REQUEST, null);
    }

    // --- the other nodes' changes ---

    /** A node was first heard of: an empty copy, filled by the sync asked for now. */
    void peerJoined(Peer peer) {
        PeerCopy copy = new PeerCopy();
        copies.put(peer, copy);
        ask(peer, copy, null);
    }

    /** A change of {@code peer}'s state: applied in version order, or held until the versions before it are in. */
    void changed(Peer peer, ClusterMessage change) {
        PeerCopy copy = copies.get(peer);
        long version = change.longField(0, -1);
        if (copy == null || version < 0) {
            return;
        }
        copy.changed(version, change).forEach(now -> apply(copy, now));
        if (copy.following() && copy.missing()) {
            ask(peer, copy, "version " + (copy.version() + 1) + " never came, " + version + " did");
        }
    }

    private void apply(PeerCopy copy, ClusterMessage change) {
        String appId = change.field(1);
        String channel = change.field(2);
        switch (change.kind()) {
            case PRESENCE_JOIN -> remoteJoined(copy, appId, channel, change.field(3), change.field(4));
            case PRESENCE_LEAVE -> remoteLeft(copy, appId, channel, change.field(3));
            case OCCUPANCY -> remoteOccupancy(copy, Key.channel(appId, channel), "1".equals(change.field(3)));
            default -> { }
        }
    }

    private void remoteJoined(PeerCopy copy, String appId, String channel, String userId, String userInfoJson) {
        boolean present = present(appId, channel, userId);
        copy.state.join(appId, channel, userId, userInfoJson);
        if (!present) {
            announceJoined(appId, channel, userId, userInfoJson, null);
        }
        memberChanged(appId, channel, userId);
    }

    private void remoteLeft(PeerCopy copy, String appId, String channel, String userId) {
        if (copy.state.leave(appId, channel, userId) && !present(appId, channel, userId)) {
            announceLeft(appId, channel, userId);
        }
        memberChanged(appId, channel, userId);
    }

    private void remoteOccupancy(PeerCopy copy, Key channel, boolean occupied) {
        if (copy.state.occupancy(channel, occupied)) {
            facts.changed(channel);
        }
    }

    /** A node left or went silent: its members leave every channel they are in nowhere else. Returns how many. */
    int peerGone(Peer peer) {
        PeerCopy copy = copies.remove(peer);
        if (copy == null) {
            return 0;
        }
        int[] removed = new int[1];
        copy.state.presence().forEach((appId, channel, userId) -> {
            if (!present(appId, channel, userId)) {
                announceLeft(appId, channel, userId);
                removed[0]++;
            }
            memberChanged(appId, channel, userId);
        });
        copy.state.occupiedChannels().forEach(facts::changed);
        return removed[0];
    }

    // --- what the cluster holds ---

    /** The other nodes' members of a channel: user id -> user_info JSON or null. Any thread. */
    Map<String, String> remotePresenceMembers(String appId, String channel) {
        Map<String, String> members = new LinkedHashMap<>();
        copies.values().forEach(copy -> copy.state.presence().copyMembers(appId, channel, members));
        return members;
    }

    /** Which of {@code userIds} are signed in anywhere. */
    Set<String> onlineUsers(String appId, Set<String> userIds) {
        Set<String> online = new HashSet<>();
        for (String userId : userIds) {
            if (present(appId, SIGNED_IN, userId)) {
                online.add(userId);
            }
        }
        return online;
    }

    /** For {@link ChannelFacts}: the member is in the channel, or the channel has subscribers, on some node. */
    boolean present(Key key) {
        if (key.isMember()) {
            return present(key.appId(), key.channel(), key.userId());
        }
        if (local.occupied(key)) {
            return true;
        }
        for (PeerCopy copy : copies.values()) {
            if (copy.state.occupied(key)) {
                return true;
            }
        }
        return false;
    }

    private boolean present(String appId, String channel, String userId) {
        return local.has(appId, channel, userId) || presentRemotely(appId, channel, userId);
    }

    private boolean presentRemotely(String appId, String channel, String userId) {
        for (PeerCopy copy : copies.values()) {
            if (copy.state.has(appId, channel, userId)) {
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

    private void memberChanged(String appId, String channel, String userId) {
        if (!channel.equals(SIGNED_IN) && events.wantsChannelFacts(appId)) {
            facts.changed(Key.member(appId, channel, userId));
        }
    }
}
