package io.herald.cluster;

import io.herald.wire.ChannelType;
import io.herald.wire.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Map;
import java.util.Set;

/** What the node does with events an adapter receives; adapters call nothing else of the server. */
public interface AdapterEventHandler {
    /** Deliver to this node's subscribers of {@code channel}. Takes ownership of {@code frame}. */
    void onPublish(String appId, String channel, ByteBuf frame, String excludeSocketId);

    /** Tells this node's subscribers of a presence channel that a user joined (all but {@code excludeSocketId}). */
    default void deliverMemberAdded(String appId, String channel, String userId, String userInfoJson, String excludeSocketId) {
        onPublish(appId, channel, Frames.memberAdded(ByteBufAllocator.DEFAULT, channel, userId, userInfoJson), excludeSocketId);
    }

    /** Tells this node's subscribers of a presence channel that a user left. */
    default void deliverMemberRemoved(String appId, String channel, String userId) {
        onPublish(appId, channel, Frames.memberRemoved(ByteBufAllocator.DEFAULT, channel, userId), null);
    }

    /** Tells this node's watchers of {@code userId} that the user is "online" or "offline". */
    default void deliverWatchlistStatus(String appId, String userId, String status) {
        onPublish(appId, ChannelType.WATCHLIST_PREFIX + userId, Frames.watchlistEvent(ByteBufAllocator.DEFAULT, status, Set.of(userId)), null);
    }

    /** This node's occupied channels of an app whose names start with {@code prefix}. */
    Map<String, ChannelSnapshot> localChannels(String appId, String prefix);

    /** This node's view of one channel. */
    ChannelSnapshot localChannel(String appId, String channel);

    /** Which of {@code userIds} are signed in on this node. */
    Set<String> localOnlineUsers(String appId, Set<String> userIds);

    /** Close this node's connections signed in as {@code userId} with 4009. */
    void onTerminateUser(String appId, String userId);
}
