package io.herald.channel;

import io.herald.app.App;
import io.herald.wire.ErrorCodes;
import io.herald.wire.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One client's WebSocket connection. All of its state is read and written on its own event loop,
 * so none of it is synchronized.
 */
public final class Connection {
    /** How long a closing socket may take to drain its close frame before it is cut. */
    private static final long CLOSE_DRAIN_SECONDS = 5;

    private final Channel channel;
    /**
     * Where our frames enter the pipeline: its last handler, the connection's own. They are
     * complete frames already (there is no WebSocket encoder), and pass only TLS on their way.
     */
    private final ChannelHandlerContext frameWriter;
    private final App app;
    private final String socketId;
    private final DeliveryLoop loop;
    private final AppTraffic traffic;
    /**
     * The channels this connection is in: the first in a field, a map only from the second on
     * (most connections are in one channel, and a map for one costs 112 bytes more).
     */
    private Subscription onlySubscription;
    private Map<String, Subscription> subscriptions;
    int loopSlot = -1;
    boolean flushPending;
    private long lastSeenNanos;
    private long pingSentNanos; // 0 = no ping outstanding
    private boolean closing;
    private int closeCode; // the code this connection was closed with, 0 while open or when it was cut
    private String closeReason;
    private String userId; // set by pusher:signin
    private final long connectedNanos;
    private boolean authenticated; // signed in, or subscribed to a private or presence channel
    private long clientEventWindowStartNanos; // max_client_events_per_second: one-second window
    private int clientEventsInWindow;

    /** A channel this connection is in, with the presence user it joined as (null otherwise). */
    public record Subscription(PusherChannel channel, String presenceUserId) {}

    public Connection(Channel channel, App app, String socketId, DeliveryLoop loop) {
        this.channel = channel;
        this.frameWriter = channel.pipeline().lastContext();
        this.app = app;
        this.socketId = socketId;
        this.loop = loop;
        this.traffic = loop.trafficOf(app.id());
        this.lastSeenNanos = System.nanoTime();
        this.connectedNanos = lastSeenNanos;
    }

    public String userId() {
        return userId;
    }

    public void signIn(String userId) {
        this.userId = userId;
        this.authenticated = true;
    }

    public void markAuthenticated() {
        authenticated = true;
    }

    public boolean isAuthenticated() {
        return authenticated;
    }

    public long connectedNanos() {
        return connectedNanos;
    }

    public Channel channel() {
        return channel;
    }

    public App app() {
        return app;
    }

    public String socketId() {
        return socketId;
    }

    public DeliveryLoop loop() {
        return loop;
    }

    public boolean isClosing() {
        return closing;
    }

    /** Sends a frame this connection owns; writes are flushed together at the end of the loop turn. */
    public void send(ByteBuf frame) {
        if (closing) {
            frame.release();
            return;
        }
        if (!channel.isWritable()) {
            // The outbound buffer is over its high-water mark: the client reads slower than we publish.
            frame.release();
            close(ErrorCodes.OVER_CAPACITY, "Client too slow to read, outbound buffer full");
            return;
        }
        traffic.messagesSent++;
        traffic.bytesSent += frame.readableBytes();
        frameWriter.write(frame, channel.voidPromise());
        loop.flushLater(this);
    }

    /** Counts a message the client sent (for the metrics). */
    public void received(int bytes) {
        traffic.messagesReceived++;
        traffic.bytesReceived += bytes;
    }

    /** Sends a frame shared by many connections (the caller keeps its reference). */
    public void sendShared(ByteBuf frame) {
        send(frame.retainedDuplicate());
    }

    /**
     * Closes with a Pusher close code, after a {@code pusher:error} with the same code and reason.
     * Both queue behind pending data; a client that
     * never drains it is cut after a few seconds, so a stuck socket cannot hold memory.
     */
    public void close(int code, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        closeCode = code;
        closeReason = reason;
        // Like every fatal error: pusher:error first, then the close frame with the same code.
        frameWriter.write(Frames.error(channel.alloc(), code, reason, null), channel.voidPromise());
        channel.writeAndFlush(Frames.close(channel.alloc(), code, reason)).addListener(ChannelFutureListener.CLOSE);
        channel.eventLoop().schedule(() -> channel.close(), CLOSE_DRAIN_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * The client started the closing handshake: answer with a close frame carrying its code (RFC
     * 6455 5.5.1) and nothing else. No {@code pusher:error}: nothing went wrong, and a 1000 sent
     * back as an error code would make clients report a failure on every normal close.
     */
    public void closedByClient(int code) {
        if (closing) {
            return;
        }
        closing = true;
        closeCode = code;
        closeReason = "by the client";
        channel.writeAndFlush(Frames.close(channel.alloc(), code, "")).addListener(ChannelFutureListener.CLOSE);
        channel.eventLoop().schedule(() -> channel.close(), CLOSE_DRAIN_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * How this connection ended, for the debug log: the close code and reason it was closed with
     * (its own close frame's when the client closed it), or that it was cut without one.
     */
    public String closeDescription() {
        if (closeCode == 0) {
            return "cut without a close frame";
        }
        return "closed with " + closeCode + (closeReason == null || closeReason.isEmpty() ? "" : " (" + closeReason + ")");
    }

    /**
     * Counts one client event against {@code maxPerSecond}; false when this second's allowance is
     * used up (nothing counted). A window opens with the first event after the previous one ended.
     */
    public boolean tryClientEvent(int maxPerSecond, long nowNanos) {
        if (clientEventsInWindow == 0 || nowNanos - clientEventWindowStartNanos >= 1_000_000_000L) {
            clientEventWindowStartNanos = nowNanos;
            clientEventsInWindow = 0;
        }
        if (clientEventsInWindow >= maxPerSecond) {
            return false;
        }
        clientEventsInWindow++;
        return true;
    }

    // --- activity (see ActivityMonitor) ---

    public void markSeen(long nowNanos) {
        lastSeenNanos = nowNanos;
        pingSentNanos = 0;
    }

    public long lastSeenNanos() {
        return lastSeenNanos;
    }

    public long pingSentNanos() {
        return pingSentNanos;
    }

    public void markPingSent(long nowNanos) {
        pingSentNanos = nowNanos;
    }

    // --- subscriptions ---

    public Subscription subscription(String channelName) {
        if (subscriptions != null) {
            return subscriptions.get(channelName);
        }
        return onlySubscription != null && onlySubscription.channel().name().equals(channelName) ? onlySubscription : null;
    }

    void addSubscription(Subscription subscription) {
        String channelName = subscription.channel().name();
        if (subscriptions != null) {
            subscriptions.put(channelName, subscription);
        } else if (onlySubscription == null || onlySubscription.channel().name().equals(channelName)) {
            onlySubscription = subscription;
        } else {
            subscriptions = new HashMap<>(4);
            subscriptions.put(onlySubscription.channel().name(), onlySubscription);
            subscriptions.put(channelName, subscription);
            onlySubscription = null;
        }
    }

    /** How many channels this connection is in. */
    public int subscriptionCount() {
        return subscriptions != null ? subscriptions.size() : onlySubscription != null ? 1 : 0;
    }

    Subscription removeSubscription(String channelName) {
        if (subscriptions != null) {
            return subscriptions.remove(channelName);
        }
        Subscription removed = subscription(channelName);
        if (removed != null) {
            onlySubscription = null;
        }
        return removed;
    }

    Collection<Subscription> subscriptions() {
        if (subscriptions != null) {
            return List.copyOf(subscriptions.values());
        }
        return onlySubscription != null ? List.of(onlySubscription) : List.of();
    }
}
