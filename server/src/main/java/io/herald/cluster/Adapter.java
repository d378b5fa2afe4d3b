package io.herald.cluster;

import java.time.Duration;
import io.netty.buffer.ByteBuf;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Carries published events to every node of the cluster, this one included.
 *
 * <p>Contract: {@link #publish} delivers the already-encoded frame to the subscribers of
 * {@code channel} on every node, skipping the connection whose socket id is
 * {@code excludeSocketId}. Events published from one node to one channel arrive in order.
 * Cluster drivers ship the frame bytes as they are, so receiving nodes never re-encode.
 * Queries merge every node's {@link AdapterEventHandler} answers; a node that does not answer in
 * time is left out rather than failing the query.
 */
public interface Adapter extends AutoCloseable {
    /** Starts the driver; it pushes everything it receives to {@code handler}. */
    void start(AdapterEventHandler handler);

    /**
     * Takes ownership of {@code frame} (releases it when done). This node's subscribers get it at
     * once; the result completes when the bus took it for the other nodes (true), so that this
     * node's crash can no longer lose it, or could not (false: the bus is unreachable or did not
     * answer in time). A single node completes at once.
     */
    CompletionStage<Boolean> publish(String appId, String channel, ByteBuf frame, String excludeSocketId);

    /** Occupied channels of an app on every node whose name starts with {@code prefix} ("" = all). */
    CompletableFuture<Map<String, ChannelSnapshot>> channels(String appId, String prefix);

    /** One channel as seen by every node ({@link ChannelSnapshot#EMPTY} when nobody is subscribed). */
    CompletableFuture<ChannelSnapshot> channel(String appId, String channel);

    /** Which of {@code userIds} are signed in on any node (for watchlists). */
    CompletableFuture<Set<String>> onlineUsers(String appId, Set<String> userIds);

    /**
     * Presence members of a channel held by the other nodes (user id -> user_info JSON, or null
     * when the user gave none); empty on a single node.
     */
    default Map<String, String> remotePresenceMembers(String appId, String channel) {
        return Map.of();
    }

    /**
     * A user's first connection on this node joined a presence channel. Subscribers everywhere
     * (but {@code joiningSocketId}) get member_added, unless the user is already in the channel on
     * another node.
     */
    void presenceMemberJoined(String appId, String channel, String userId, String userInfoJson, String joiningSocketId);

    /** A user's last connection on this node left a presence channel: member_removed, unless they remain elsewhere. */
    void presenceMemberLeft(String appId, String channel, String userId);

    /**
     * A channel got its first subscriber on this node, or lost its last one: the cluster-wide
     * occupied / vacated facts may follow (see {@link io.herald.events.ServerEvents}).
     */
    void localOccupancyChanged(String appId, String channel);

    /**
     * A user's first connection on this node signed in (apps with watchlist events): their
     * watchers everywhere get "online", unless the user is already signed in on another node.
     */
    void userCameOnline(String appId, String userId);

    /** A signed-in user's last connection on this node closed: "offline", unless they remain signed in elsewhere. */
    void userWentOffline(String appId, String userId);

    /**
     * How many connections an app has on the other nodes, as of their last heartbeat (at most a
     * second old); 0 on a single node. {@code max_connections} counts them too.
     */
    default int connectionsElsewhere(String appId) {
        return 0;
    }

    /** Nodes of the cluster this node hears from, itself included; 1 on a single node. */
    default int liveNodes() {
        return 1;
    }

    /** Milliseconds since the least recently heard other node was last heard; 0 on a single node. */
    default long oldestHeartbeatAgeMillis() {
        return 0;
    }

    /** False while the backend that links the nodes is unreachable ({@code /up} then answers 503). */
    default boolean isHealthy() {
        return true;
    }

    /**
     * Asks the backend for an answer now, waiting at most {@code timeout} (the background health
     * check; blocks its caller, never an event loop). Drivers without a round trip of their own
     * answer with {@link #isHealthy}.
     */
    default boolean probe(Duration timeout) {
        return isHealthy();
    }


    /** Closes every connection signed in as {@code userId}, on every node, with 4009. */
    void terminateUserConnections(String appId, String userId);

    /** Short driver name for logs and health output. */
    String name();

    @Override
    void close();
}
