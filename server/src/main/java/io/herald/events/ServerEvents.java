package io.herald.events;

import java.util.List;

/**
 * What happened on this server, as the core reports it: the one seam that webhooks and metrics
 * listen on. Every method has a no-op default, so a listener overrides only what it needs.
 *
 * <p>Contract: methods are called on event loops or on the cluster thread and must never block
 * (hand work to an executor). Local facts (a connection, a client event, a cache miss, a
 * subscription count) are reported by the node where they happen. Cluster-wide facts (a channel
 * occupied or vacated, a member added or removed) are reported by exactly one node of the cluster,
 * the channel's owner, once per change; vacated and removed are reported only after a
 * {@code 3 s} hold, and not at all if the channel or user came back anywhere meanwhile.
 */
public interface ServerEvents {
    /** Listens to nothing. */
    ServerEvents NONE = new ServerEvents() {};

    /** A WebSocket connection of {@code appId} was accepted on this node. */
    default void connectionOpened(String appId) {}

    /** A WebSocket connection of {@code appId} closed on this node. */
    default void connectionClosed(String appId) {}

    /**
     * Whether this listener wants the cluster-wide channel facts of {@code appId} (occupied,
     * vacated, member added and removed). Tracking them costs memory and bus messages, so the core
     * tracks an app's channels only while some listener wants them.
     */
    default boolean wantsChannelFacts(String appId) {
        return false;
    }

    /** The channel got its first subscriber anywhere in the cluster. */
    default void channelOccupied(String appId, String channel) {}

    /** The channel's last subscriber anywhere left, 3 s ago, and nobody came back. */
    default void channelVacated(String appId, String channel) {}

    /** The user's first connection anywhere joined the presence channel. */
    default void memberAdded(String appId, String channel, String userId) {}

    /** The user's last connection anywhere left the presence channel, 3 s ago, and they did not come back. */
    default void memberRemoved(String appId, String channel, String userId) {}

    /**
     * A client event was accepted and published. {@code data} is the event's data as JSON text
     * for an object (or the string itself); {@code userId} is the sender on a presence channel,
     * else null.
     */
    default void clientEvent(String appId, String channel, String event, String data, String socketId, String userId) {}

    /** A new subscriber of a cache channel found nothing cached (it got {@code pusher:cache_miss}). */
    default void cacheMiss(String appId, String channel) {}

    /**
     * Whether this listener wants {@link #subscriptionCount} for {@code appId} even when the app does
     * not send subscription counts to its clients (each count is a cluster-wide query).
     */
    default boolean wantsSubscriptionCounts(String appId) {
        return false;
    }

    /**
     * The cluster-wide subscription count of a non-presence channel, after a subscribe or unsubscribe
     * on this node (bursts coalesced, as for {@code pusher_internal:subscription_count}).
     */
    default void subscriptionCount(String appId, String channel, int count) {}

    // --- What this node did, for counting (metrics). Cheap calls: no work beyond a count. ---

    /**
     * A WebSocket connection was refused before it opened: {@code appId} is null when no app has
     * the key; {@code reason} is one of a few fixed words (app_not_found, app_disabled, ...).
     */
    default void connectionRefused(String appId, String reason) {}

    /** A connection of this node joined a channel. */
    default void subscribed(String appId, String channel) {}

    /** A connection of this node left a channel (unsubscribed or closed). */
    default void unsubscribed(String appId, String channel) {}

    /** The channel got its first subscriber on this node. */
    default void channelActiveHere(String appId, String channel) {}

    /** The channel lost its last subscriber on this node. */
    default void channelInactiveHere(String appId, String channel) {}

    /**
     * A published message was written to {@code recipients} subscribers on this node,
     * {@code nanos} after this node got it (from the HTTP API or the cluster bus).
     */
    default void broadcast(String appId, String channel, int recipients, long nanos) {}

    /** An HTTP API call of {@code appId} was answered. */
    default void apiCall(String appId, long requestBytes, long responseBytes) {}

    /**
     * A rate limit was checked: {@code limiter} is api, websocket, backend_events, read_requests
     * or client_events; {@code appId} null for the per-IP limits.
     */
    default void rateLimitChecked(String appId, String limiter, boolean refused) {}

    /** This node asked the other nodes (a cluster-wide query of {@code appId}). */
    default void clusterRequestSent(String appId) {}

    /** Another node asked this one. */
    default void clusterRequestReceived(String appId) {}

    /** Another node answered one of this node's requests. */
    default void clusterResponseReceived(String appId) {}

    /** One of this node's requests ended: every node answered ({@code complete}), or the timeout came first. */
    default void clusterRequestResolved(String appId, boolean complete, long nanos) {}

    /** This node's copy of another node's presence members was replaced by a full sync. */
    default void presenceResynced() {}

    /** Reports every fact to each of {@code listeners}, in order. */
    static ServerEvents fanOut(List<ServerEvents> listeners) {
        List<ServerEvents> present = listeners.stream().filter(l -> l != null && l != NONE).toList();
        return present.isEmpty() ? NONE : present.size() == 1 ? present.get(0) : new FanOut(present);
    }
}
