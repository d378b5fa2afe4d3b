package io.herald.cluster;

import io.herald.cluster.ClusterMessage.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.CompletionStage;

/**
 * Relays publishes: an event published on this node goes to its own subscribers at once and to
 * the other nodes as the ready-made frame; a frame from another node goes to this node's
 * subscribers as it came, without decoding. Also carries terminate_connections. Publishes are
 * handled on the transport's thread (no hand-over to the control thread), so one node's events
 * on one channel keep their order.
 */
final class PublishRelay {
    private final ClusterBus bus;
    private volatile AdapterEventHandler handler;

    PublishRelay(ClusterBus bus) {
        this.bus = bus;
    }

    void start(AdapterEventHandler handler) {
        this.handler = handler;
    }

    /** Takes ownership of {@code frame}; completes when the bus took it (see {@link Adapter#publish}). */
    CompletionStage<Boolean> publish(String appId, String channel, ByteBuf frame, String excludeSocketId) {
        CompletionStage<Boolean> taken = bus.broadcast(Kind.PUBLISH, frame, appId, channel, excludeSocketId);
        handler.onPublish(appId, channel, frame, excludeSocketId);
        return taken;
    }

    /** Another node's publish, on the transport's thread. */
    void received(ClusterMessage publish) {
        // One direct copy for all local subscribers (sockets write direct buffers without copying again).
        ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer(publish.bodyLength());
        frame.writeBytes(publish.bytes(), publish.bodyOffset(), publish.bodyLength());
        handler.onPublish(publish.field(0), publish.field(1), frame, publish.field(2));
    }

    void terminateUserConnections(String appId, String userId) {
        bus.broadcast(Kind.TERMINATE_USER, (byte[]) null, appId, userId);
        handler.onTerminateUser(appId, userId);
    }

    void terminateReceived(ClusterMessage terminate) {
        handler.onTerminateUser(terminate.field(0), terminate.field(1));
    }
}
