package io.herald.cluster;

import io.netty.buffer.ByteBuf;
import java.util.Map;
import java.util.Set;

/** What the node does with events an adapter receives; adapters call nothing else of the server. */
public interface AdapterEventHandler {
    /** Deliver to this node's subscribers of {@code channel}. Takes ownership of {@code frame}. */
    void onPublish(String appId, String channel, ByteBuf frame, String excludeSocketId);

    /** This node's occupied channels of an app whose names start with {@code prefix}. */
    Map<String, ChannelSnapshot> localChannels(String appId, String prefix);

    /** This node's view of one channel. */
    ChannelSnapshot localChannel(String appId, String channel);

    /** Which of {@code userIds} are signed in on this node. */
    Set<String> localOnlineUsers(String appId, Set<String> userIds);

    /** Close this node's connections signed in as {@code userId} with 4009. */
    void onTerminateUser(String appId, String userId);
}
