package io.herald.bench.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.bench.Json;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;

/**
 * The Pusher side of one {@link Session}: subscribes once the socket id is known (signing presence
 * subscriptions as an auth endpoint would), answers pings, and hands bench events and the
 * connection's end to {@link Slots}. Presence member events are read only as control frames.
 */
final class SessionHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private final Slots slots;
    private final Session session;

    SessionHandler(Slots slots, Session session) {
        this.slots = slots;
        this.session = session;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame) {
            ByteBuf content = frame.content();
            FrameScanner scanner = slots.scanner;
            if (scanner.scan(content)) {
                slots.onEvent(session, scanner.seq, scanner.sentNanos);
            } else {
                onControl(ctx, content.toString(StandardCharsets.UTF_8));
            }
        } else if (frame instanceof CloseWebSocketFrame close) {
            slots.onEnded(session, "closed by server: " + close.statusCode());
            ctx.close();
        }
    }

    private void onControl(ChannelHandlerContext ctx, String text) {
        JsonNode msg;
        try {
            msg = Json.MAPPER.readTree(text);
        } catch (Exception e) {
            slots.unparsed++;
            return;
        }
        switch (msg.path("event").asText("")) {
            case "pusher:connection_established" -> {
                String socketId = Json.parse(msg.path("data").asText("{}")).path("socket_id").asText();
                ctx.writeAndFlush(new TextWebSocketFrame(slots.subscribeFrame(session, socketId)));
                session.state = Session.State.SUBSCRIBING;
            }
            case "pusher_internal:subscription_succeeded" -> slots.onSubscribed(session);
            case "pusher:ping" -> ctx.writeAndFlush(new TextWebSocketFrame("{\"event\":\"pusher:pong\",\"data\":\"{}\"}"));
            case "pusher:error" -> slots.onPusherError(session, msg.path("data").toString());
            default -> { } // member_added / member_removed, pong, subscription counts
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            slots.onEnded(session, "WebSocket handshake timed out");
            ctx.close();
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        slots.onEnded(session, session.state == Session.State.SUBSCRIBED ? "connection lost" : "connection closed before subscribing");
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        slots.onEnded(session, cause.getClass().getSimpleName() + ": " + cause.getMessage());
        ctx.close();
    }
}
