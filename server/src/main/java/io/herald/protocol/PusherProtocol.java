package io.herald.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.app.App;
import io.herald.cache.ChannelCache;
import io.herald.channel.ChannelRegistry;
import io.herald.channel.Connection;
import io.herald.cluster.Adapter;
import io.herald.events.ServerEvents;
import io.herald.ratelimit.KeyedThrottle;
import io.herald.wire.ChannelType;
import io.herald.wire.ErrorCodes;
import io.herald.wire.Frames;
import io.herald.wire.Jsons;
import io.herald.wire.Names;
import io.herald.wire.Signatures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of the Pusher protocol (spec sections 1-3): what the server does with each
 * message a connection sends. Runs on the connection's event loop.
 */
public final class PusherProtocol {
    /**
     * At debug level (debug / DEBUG): each connection opened and closed with its code, each
     * subscription and message refused and why. Never a secret, a signature or a payload.
     */
    private static final Logger log = LoggerFactory.getLogger(PusherProtocol.class);
    private static final int MAX_USER_ID_LENGTH = 128;
    /** Subscribes and unsubscribes of one channel within this delay make one subscription_count. */
    private static final long SUBSCRIPTION_COUNT_COALESCE_MILLIS = 100;
    /** Channels with more subscribers than this get subscription_count at most every ... */
    private static final int BUSY_CHANNEL_SUBSCRIBERS = 100;
    /** ... this many milliseconds. */
    private static final long BUSY_CHANNEL_COUNT_INTERVAL_MILLIS = 5000;

    private final ChannelRegistry registry;
    private final Adapter adapter;
    private final ObjectMapper json = Jsons.MAPPER;
    private final int activityTimeoutSeconds;
    private final int maxChannelsPerConnection;
    private final UserSignIn signIn;
    private final ChannelCache cache;
    private final KeyedThrottle subscriptionCounts = new KeyedThrottle(SUBSCRIPTION_COUNT_COALESCE_MILLIS);
    private final ServerEvents events;

    public PusherProtocol(ChannelRegistry registry, Adapter adapter, ChannelCache cache, ServerEvents events,
                          int activityTimeoutSeconds, int maxChannelsPerConnection) {
        this.registry = registry;
        this.adapter = adapter;
        this.cache = cache;
        this.events = events;
        this.signIn = new UserSignIn(registry, adapter);
        this.activityTimeoutSeconds = activityTimeoutSeconds;
        this.maxChannelsPerConnection = maxChannelsPerConnection;
    }

    public void onOpen(Connection connection) {
        log.debug("connection {} of app {} opened from {}", connection.socketId(), connection.app().id(),
                connection.channel().remoteAddress());
        registry.connected(connection);
        events.connectionOpened(connection.app().id());
        String data = "{\"socket_id\":\"" + connection.socketId() + "\",\"activity_timeout\":" + activityTimeoutSeconds + "}";
        connection.send(Frames.event(alloc(connection), "pusher:connection_established", null, data));
    }

    public void onClose(Connection connection) {
        log.debug("connection {} of app {} {}", connection.socketId(), connection.app().id(), connection.closeDescription());
        ChannelRegistry.Departure departure = registry.disconnected(connection);
        departure.channelsLeft().forEach(leaving -> left(connection, leaving));
        if (departure.userWentOffline()) {
            signIn.wentOffline(connection);
        }
        events.connectionClosed(connection.app().id());
    }

    /** Handles one text frame's JSON. Malformed input gets a {@code pusher:error}; the connection stays. */
    public void onMessage(Connection connection, JsonNode message) {
        if (!message.isObject()) {
            protocolError(connection, "Message must be a JSON object with an \"event\" field", null);
            return;
        }
        JsonNode eventNode = message.get("event");
        if (eventNode == null || !eventNode.isTextual()) {
            protocolError(connection, "Message has no \"event\" string", null);
            return;
        }
        String event = eventNode.asText();
        switch (event) {
            case "pusher:ping" -> connection.send(Frames.event(alloc(connection), "pusher:pong", null, "{}"));
            case "pusher:pong" -> { } // activity already recorded by the transport
            case "pusher:subscribe" -> subscribe(connection, dataObject(message));
            case "pusher:unsubscribe" -> unsubscribe(connection, dataObject(message));
            case "pusher:signin" -> signIn.signIn(connection, dataObject(message));
            default -> {
                if (event.startsWith("client-")) {
                    clientEvent(connection, event, message);
                } else {
                    protocolError(connection, "Unsupported event '" + truncate(event) + "'", null);
                }
            }
        }
    }

    // --- subscriptions ---

    private void subscribe(Connection connection, JsonNode data) {
        App app = connection.app();
        String channel = Jsons.text(data, "channel");
        String nameProblem = Names.channelNameProblem(channel, app.maxChannelNameLength());
        if (nameProblem != null) {
            subscriptionError(connection, ErrorCodes.UNAUTHORIZED, nameProblem, channel);
            return;
        }
        if (connection.subscription(channel) == null && connection.subscriptionCount() >= maxChannelsPerConnection) {
            // Checked before any signature: refusing costs the server nothing. 4100 is the spec's
            // "over capacity", as for a full presence channel, and the connection stays.
            subscriptionError(connection, ErrorCodes.OVER_CAPACITY, "Subscription refused: this connection is already in "
                    + maxChannelsPerConnection + " channels, the most one connection may be in (max_channels_per_connection)",
                    channel);
            return;
        }
        ChannelType type = ChannelType.of(channel);
        if (type == ChannelType.SERVER_TO_USER
                && (connection.userId() == null || !channel.equals("#server-to-user-" + connection.userId()))) {
            subscriptionError(connection, ErrorCodes.UNAUTHORIZED,
                    "#server-to-user channels are only for the user this connection signed in as", channel);
            return;
        }
        String channelData = type.isPresence() ? Jsons.text(data, "channel_data") : null;
        if (type.requiresAuth()) {
            String payload = Signatures.channelAuthPayload(connection.socketId(), channel, channelData);
            if (!Signatures.verifyAuth(app.key(), app.secret(), payload, Jsons.text(data, "auth"))) {
                subscriptionError(connection, ErrorCodes.UNAUTHORIZED,
                        "Invalid signature: auth does not match " + (type.isPresence()
                                ? "socket_id:channel:channel_data" : "socket_id:channel") + " signed with the app secret",
                        channel);
                return;
            }
        }
        String userId = null;
        String userInfo = null;
        if (type.isPresence()) {
            PresenceMember member = parsePresenceMember(connection, channel, channelData);
            if (member == null) {
                return;
            }
            userId = member.userId();
            userInfo = member.userInfoJson();
        }
        if (connection.subscription(channel) != null) {
            // Subscribing twice succeeds again, without a second member_added.
            sendSubscriptionSucceeded(connection, channel, type.isPresence() ? presenceMembers(app.id(), channel) : null);
            return;
        }
        ChannelRegistry.JoinOutcome outcome = registry.subscribe(connection, channel, userId, userInfo,
                type.isPresence() ? adapter.remotePresenceMembers(app.id(), channel) : Map.of());
        if (outcome.presenceFull()) {
            subscriptionError(connection, ErrorCodes.OVER_CAPACITY, "Presence channel is full (at most "
                    + app.maxPresenceMembersPerChannel() + " members)", channel);
            return;
        }
        sendSubscriptionSucceeded(connection, channel, type.isPresence() ? withMembersElsewhere(app.id(), channel,
                outcome.presenceMembers()) : null);
        events.subscribed(app.id(), channel);
        if (outcome.firstSubscriberHere()) {
            events.channelActiveHere(app.id(), channel);
        }
        if (outcome.firstSubscriberHere() && !ChannelType.isInternal(channel)) {
            adapter.localOccupancyChanged(app.id(), channel); // before the member: occupied comes first
        }
        if (type.requiresAuth()) {
            connection.markAuthenticated();
        }
        if (ChannelType.isCache(channel)) {
            replayCachedEvent(connection, channel);
        }
        subscriptionCountChanged(connection, channel);
        if (outcome.firstConnectionOfUser()) {
            adapter.presenceMemberJoined(app.id(), channel, userId, userInfo, connection.socketId());
        }
    }

    /** After subscription_succeeded: the channel's last event within the TTL, or pusher:cache_miss. */
    private void replayCachedEvent(Connection connection, String channel) {
        cache.get(connection.app().id(), channel).thenAccept(cached -> connection.channel().eventLoop().execute(() -> {
            if (connection.subscription(channel) == null) {
                return; // unsubscribed (or closed) meanwhile
            }
            if (cached.isPresent()) {
                connection.send(Frames.text(alloc(connection), cached.get().message()));
            } else {
                connection.send(Frames.event(alloc(connection), "pusher:cache_miss", channel, null));
                events.cacheMiss(connection.app().id(), channel);
            }
        }));
    }

    private record PresenceMember(String userId, String userInfoJson) {}

    private PresenceMember parsePresenceMember(Connection connection, String channel, String channelData) {
        if (channelData == null) {
            subscriptionError(connection, ErrorCodes.UNAUTHORIZED, "Presence channels need channel_data", channel);
            return null;
        }
        JsonNode parsed;
        try {
            parsed = json.readTree(channelData);
        } catch (IOException e) {
            subscriptionError(connection, ErrorCodes.UNAUTHORIZED, "channel_data is not valid JSON", channel);
            return null;
        }
        JsonNode userIdNode = parsed == null ? null : parsed.get("user_id");
        if (userIdNode == null || !(userIdNode.isTextual() || userIdNode.isIntegralNumber()) || userIdNode.asText().isEmpty()) {
            subscriptionError(connection, ErrorCodes.UNAUTHORIZED,
                    "channel_data must hold a user_id (non-empty string or number)", channel);
            return null;
        }
        String userId = userIdNode.asText();
        if (userId.length() > MAX_USER_ID_LENGTH) {
            subscriptionError(connection, ErrorCodes.UNAUTHORIZED,
                    "user_id is longer than " + MAX_USER_ID_LENGTH + " characters", channel);
            return null;
        }
        JsonNode info = parsed.get("user_info");
        String infoJson = info == null || info.isNull() ? null : info.toString();
        int limit = connection.app().maxPresenceMemberBytes();
        if (infoJson != null && infoJson.length() > limit) {
            subscriptionError(connection, ErrorCodes.UNAUTHORIZED, "user_info is larger than "
                    + connection.app().maxPresenceMemberSizeInKb() + " KB", channel);
            return null;
        }
        return new PresenceMember(userId, infoJson);
    }

    private void sendSubscriptionSucceeded(Connection connection, String channel, Map<String, String> members) {
        String data = members == null ? "{}" : presenceData(members);
        connection.send(Frames.event(alloc(connection), "pusher_internal:subscription_succeeded", channel, data));
    }

    /** {@code {"presence":{"ids":[...],"hash":{id:info},"count":N}}} */
    private static String presenceData(Map<String, String> members) {
        StringBuilder ids = new StringBuilder();
        StringBuilder hash = new StringBuilder();
        for (Map.Entry<String, String> member : members.entrySet()) {
            String id = Jsons.quote(member.getKey());
            if (ids.length() > 0) {
                ids.append(',');
                hash.append(',');
            }
            ids.append(id);
            hash.append(id).append(':').append(member.getValue() == null ? "null" : member.getValue());
        }
        return "{\"presence\":{\"ids\":[" + ids + "],\"hash\":{" + hash + "},\"count\":" + members.size() + "}}";
    }

    private void unsubscribe(Connection connection, JsonNode data) {
        String channel = Jsons.text(data, "channel");
        if (channel == null) {
            protocolError(connection, "pusher:unsubscribe needs data.channel", null);
            return;
        }
        ChannelRegistry.Leaving leaving = registry.unsubscribe(connection, channel);
        if (leaving != null) {
            left(connection, leaving);
        }
    }

    /** After a connection left a channel: member_removed, occupancy and subscription count, as they apply. */
    private void left(Connection connection, ChannelRegistry.Leaving leaving) {
        String appId = connection.app().id();
        if (leaving.departedUserId() != null) {
            adapter.presenceMemberLeft(appId, leaving.channel(), leaving.departedUserId());
        }
        if (leaving.lastSubscriberHere() && !ChannelType.isInternal(leaving.channel())) {
            adapter.localOccupancyChanged(appId, leaving.channel());
        }
        events.unsubscribed(appId, leaving.channel());
        if (leaving.lastSubscriberHere()) {
            events.channelInactiveHere(appId, leaving.channel());
        }
        subscriptionCountChanged(connection, leaving.channel());
    }

    // --- subscription counts ---

    /**
     * A non-presence channel gained or lost a subscriber on this node: with
     * {@code enable_subscription_count_event} its subscribers (on every node) get the cluster-wide
     * count, and a listener that wants counts (a subscription_count webhook) is told. Bursts are
     * coalesced, and busy channels get at most one count every 5 s; the last count of a burst is
     * always sent.
     */
    private void subscriptionCountChanged(Connection connection, String channel) {
        App app = connection.app();
        if (ChannelType.of(channel).isPresence() || ChannelType.isInternal(channel)
                || !(app.enableSubscriptionCountEvent() || events.wantsSubscriptionCounts(app.id()))) {
            return;
        }
        boolean toSubscribers = app.enableSubscriptionCountEvent();
        String appId = app.id();
        subscriptionCounts.signal(appId + '\n' + channel, connection.channel().eventLoop(),
                () -> sendSubscriptionCount(appId, channel, toSubscribers));
    }

    /** Publishes the channel's count; answers how long the channel must rest before the next one. */
    private CompletableFuture<Long> sendSubscriptionCount(String appId, String channel, boolean toSubscribers) {
        return adapter.channel(appId, channel).thenApply(snapshot -> {
            int count = snapshot.subscriptionCount();
            if (toSubscribers && count > 0) { // at 0 nobody is left, on any node, to tell
                adapter.publish(appId, channel, Frames.event(ByteBufAllocator.DEFAULT, "pusher_internal:subscription_count",
                        channel, "{\"subscription_count\":" + count + "}"), null);
            }
            events.subscriptionCount(appId, channel, count);
            return count > BUSY_CHANNEL_SUBSCRIBERS ? BUSY_CHANNEL_COUNT_INTERVAL_MILLIS : 0L;
        });
    }

    /** Every node's members of a presence channel (this node's user_info wins for a user on both). */
    private Map<String, String> presenceMembers(String appId, String channel) {
        return withMembersElsewhere(appId, channel, registry.channelMembers(appId, channel));
    }

    /**
     * Adds the other nodes' members to this node's. Read after the connection has joined the
     * channel: a member another node announces later reaches it as member_added, so none is lost
     * (one announced in between may come both ways).
     */
    private Map<String, String> withMembersElsewhere(String appId, String channel, Map<String, String> localMembers) {
        Map<String, String> members = new LinkedHashMap<>(adapter.remotePresenceMembers(appId, channel));
        members.putAll(localMembers);
        return members;
    }

    // --- client events ---

    private void clientEvent(Connection connection, String event, JsonNode message) {
        App app = connection.app();
        String channel = Jsons.text(message, "channel");
        if (!app.enableClientMessages()) {
            protocolError(connection, "Client events are not enabled for this app", channel);
            return;
        }
        if (channel == null) {
            protocolError(connection, "Client event needs a channel", null);
            return;
        }
        Connection.Subscription subscription = connection.subscription(channel);
        if (subscription == null) {
            protocolError(connection, "Client event on a channel this connection is not subscribed to", channel);
            return;
        }
        if (!subscription.channel().type().allowsClientEvents()) {
            protocolError(connection, "Client events are only allowed on private and presence channels (not encrypted ones)", channel);
            return;
        }
        String nameProblem = Names.eventNameProblem(event, app.maxEventNameLength());
        if (nameProblem != null) {
            protocolError(connection, nameProblem, channel);
            return;
        }
        JsonNode data = message.get("data");
        String dataText = data == null ? null : data.isTextual() ? data.asText() : data.toString();
        int dataBytes = dataText == null ? 0 : dataText.getBytes(StandardCharsets.UTF_8).length;
        if (dataBytes > app.maxEventPayloadBytes()) {
            protocolError(connection, "Client event data is " + dataBytes + " bytes; the limit is "
                    + app.maxEventPayloadInKb() + " KB", channel);
            return;
        }
        // Counted last, so that only events that would be delivered use up the allowance.
        boolean overLimit = !connection.tryClientEvent(app.maxClientEventsPerSecond(), System.nanoTime());
        events.rateLimitChecked(app.id(), "client_events", overLimit);
        if (overLimit) {
            connection.send(Frames.error(alloc(connection), ErrorCodes.CLIENT_EVENT_RATE_LIMITED, "Client event rejected: over the limit of "
                    + app.maxClientEventsPerSecond() + " client events per second", channel));
            return;
        }
        ByteBuf frame = Frames.object(alloc(connection), 256, out -> {
            out.writeStringField("event", event);
            out.writeStringField("channel", channel);
            if (data != null) {
                out.writeFieldName("data");
                out.writeTree(data);
            }
            if (subscription.presenceUserId() != null) {
                out.writeStringField("user_id", subscription.presenceUserId());
            }
        });
        adapter.publish(app.id(), channel, frame, connection.socketId());
        events.clientEvent(app.id(), channel, event, dataText, connection.socketId(), subscription.presenceUserId());
    }

    // --- helpers ---

    private void subscriptionError(Connection connection, int code, String message, String channel) {
        log.debug("connection {} of app {}: subscription to {} refused with {}: {}", connection.socketId(),
                connection.app().id(), channel, code, message);
        connection.send(Frames.error(alloc(connection), code, message, channel));
    }

    private void protocolError(Connection connection, String message, String channel) {
        log.debug("connection {} of app {}: message refused{}: {}", connection.socketId(), connection.app().id(),
                channel == null ? "" : " on " + channel, message);
        connection.send(Frames.error(alloc(connection), null, message, channel));
    }

    /** {@code data} as an object; some clients send it as a JSON-encoded string. */
    private JsonNode dataObject(JsonNode message) {
        JsonNode data = message.get("data");
        if (data != null && data.isTextual()) {
            try {
                return json.readTree(data.asText());
            } catch (IOException e) {
                return null;
            }
        }
        return data;
    }

    private static String truncate(String value) {
        return value.length() <= 64 ? value : value.substring(0, 64) + "...";
    }

    private static ByteBufAllocator alloc(Connection connection) {
        return connection.channel().alloc();
    }
}
