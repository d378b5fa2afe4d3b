package io.herald.transport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.channel.Connection;
import io.herald.channel.ConnectionQuota;
import io.herald.wire.Frames;
import io.herald.wire.Jsons;
import io.herald.protocol.PusherProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an upgraded connection: WebSocket frames in (from Netty's frame decoder, the
 * only other handler left), protocol calls out. It joins a fragmented text message itself and
 * sends its close frames encoded, so that an idle connection keeps two handlers instead of four.
 */
final class WebSocketFrameHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(WebSocketFrameHandler.class);

    private final PusherProtocol protocol;
    private final ConnectionQuota quota;
    private final int maxMessageBytes; // websocket_max_payload_kb
    private final int readLimitBytes; // a message past this is not read: close 1009
    private ChannelHandlerContext ctx;
    private Connection connection; // set once the handshake completed and the app was accepted
    /**
     * Frames that came in the same read as the upgrade request, before the connection was
     * accepted; read once it is. Bounded by that one read (the socket reads nothing more until
     * the upgrade is answered); dropped with the connection if it is refused.
     */
    private List<Object> early;
    private boolean refused;
    /** The fragments so far of a text message sent in several frames; null between messages. */
    private ByteBuf fragments;
    /** Inside a fragmented binary message, already answered with an error: its continuations are skipped. */
    private boolean skippingBinary;

    WebSocketFrameHandler(PusherProtocol protocol, ConnectionQuota quota, int maxMessageBytes, int readLimitBytes) {
        this.protocol = protocol;
        this.quota = quota;
        this.maxMessageBytes = maxMessageBytes;
        this.readLimitBytes = readLimitBytes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    void attach(Connection connection) {
        this.connection = connection;
        protocol.onOpen(connection);
        List<Object> waiting = early;
        early = null;
        if (waiting != null) {
            for (Object msg : waiting) {
                channelRead(ctx, msg);
            }
        }
    }

    /** The upgrade was answered: a connection not attached by now was refused, and reads nothing more. */
    void upgradeAnswered() {
        if (connection == null) {
            refused = true;
            releaseEarly();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (connection == null && !refused) {
            if (early == null) {
                early = new ArrayList<>(2);
            }
            early.add(msg);
            return;
        }
        try {
            if (connection == null) {
                return; // refused during the handshake; the socket is closing
            }
            connection.markSeen(System.nanoTime());
            if (msg instanceof TextWebSocketFrame text) {
                if (text.isFinalFragment()) {
                    onText(text.content());
                } else {
                    // Grows as the pieces come, never past the read limit (the check is in onContinuation).
                    fragments = ctx.alloc().buffer(text.content().readableBytes(), readLimitBytes);
                    fragments.writeBytes(text.content());
                }
            } else if (msg instanceof ContinuationWebSocketFrame more) {
                onContinuation(more);
            } else if (msg instanceof PingWebSocketFrame ping) {
                // Through the connection's bounded send like any message: a client that pings and
                // never reads is a slow reader (4100), not a queue of pongs in our heap.
                connection.send(Frames.pong(ctx.alloc(), ping.content()));
            } else if (msg instanceof CloseWebSocketFrame close) {
                connection.closedByClient(close.statusCode() < 0 ? WebSocketCloseStatus.NORMAL_CLOSURE.code() : close.statusCode());
            } else if (msg instanceof BinaryWebSocketFrame binary) {
                skippingBinary = !binary.isFinalFragment();
                connection.send(Frames.error(ctx.alloc(), null,
                        "Binary frames are not supported: send JSON text frames", null));
            }
            // Pong frames only count as activity.
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * One more piece of a fragmented message (the decoder refuses a continuation outside one). A
     * message past the read limit closes with 1009, as a single frame past it does.
     */
    private void onContinuation(ContinuationWebSocketFrame more) {
        if (skippingBinary) {
            skippingBinary = !more.isFinalFragment();
            return;
        }
        if (fragments == null) {
            return;
        }
        if ((long) fragments.readableBytes() + more.content().readableBytes() > readLimitBytes) {
            releaseFragments();
            closeWith(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "Message exceeds " + readLimitBytes + " bytes");
            return;
        }
        fragments.writeBytes(more.content());
        if (more.isFinalFragment()) {
            ByteBuf whole = fragments;
            fragments = null;
            try {
                onText(whole);
            } finally {
                whole.release();
            }
        }
    }

    /** One text message: parsed here, then handed to the protocol. */
    private void onText(ByteBuf content) {
        int size = content.readableBytes();
        connection.received(size);
        if (size > maxMessageBytes) {
            // Refused like a client event over its app's limit: an error, and the connection stays.
            log.debug("connection {}: message of {} bytes refused (websocket_max_payload_kb)", connection.socketId(), size);
            connection.send(Frames.error(connection.channel().alloc(), null, "Message is " + size
                    + " bytes; the largest a client may send is " + maxMessageBytes / 1024 + " KB (websocket_max_payload_kb)",
                    null));
            return;
        }
        JsonNode message;
        // Read as UTF-8, as text frames are: from bytes Jackson guesses the encoding, and
        // "\0\0\0o..." (valid UTF-8) made it pick UTF-32 and throw (found by ClientFramesFuzzTest).
        // Decoded to a String, not through a Reader: an InputStreamReader allocates an 8 KB buffer
        // per message, which was a third of all allocation during a connect storm.
        try {
            message = Jsons.MAPPER.readTree(content.toString(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            connection.send(Frames.error(connection.channel().alloc(), null, "Invalid JSON: " + e.getOriginalMessage(), null));
            return;
        }
        if (message == null || message.isMissingNode()) {
            connection.send(Frames.error(connection.channel().alloc(), null, "Empty message", null));
            return;
        }
        protocol.onMessage(connection, message);
    }

    /**
     * Reading stops while the socket cannot take more writes, and resumes once it drained: what a
     * client sends mostly asks for an answer, and a client that does not read its answers must
     * not have more requests taken from it. Its next message (an answer, a delivery, or the
     * activity ping) finds the buffer full and closes it with 4100.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseEarly();
        releaseFragments();
    }

    private void releaseEarly() {
        if (early != null) {
            early.forEach(ReferenceCountUtil::release);
            early = null;
        }
    }

    private void releaseFragments() {
        if (fragments != null) {
            fragments.release();
            fragments = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseEarly();
        releaseFragments();
        if (connection != null) {
            quota.release(connection.app());
            protocol.onClose(connection);
            connection = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException broken) {
            // The decoder found a protocol violation (a frame over the read limit among them: 1009)
            // and reads nothing more from this socket; the close frame carries its code and reason.
            releaseFragments();
            closeWith(broken.closeStatus().code(), broken.getMessage());
            return;
        }
        log.debug("closing connection {} after error", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    /** Closes after a close frame, for a broken or oversized message: no pusher:error, the client broke the protocol. */
    private void closeWith(int code, String reason) {
        ctx.writeAndFlush(Frames.close(ctx.alloc(), code, reason)).addListener(ChannelFutureListener.CLOSE);
    }
}
