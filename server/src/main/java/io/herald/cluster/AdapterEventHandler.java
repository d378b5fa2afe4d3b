package io.herald.cluster;

import io.netty.buffer.ByteBuf;

/** What the node does with events an adapter receives; adapters call nothing else of the server. */
public interface AdapterEventHandler {
    /** Deliver to this node's subscribers of {@code channel}. Takes ownership of {@code frame}. */
    void onPublish(String appId, String channel, ByteBuf frame, String excludeSocketId);
}
