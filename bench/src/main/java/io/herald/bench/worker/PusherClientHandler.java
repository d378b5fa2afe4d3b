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
 * The Pusher side of one connection: waits for {@code pusher:connection_established}, subscribes,
 * answers {@code pusher:ping}, and hands every bench event to {@link WorkerState}.
 */
final class PusherClientHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private final WorkerState state;
    private final Subscriber sub;

    PusherClientHandler(WorkerState state, Subscriber sub) {
        this.state = state;
        this.sub = sub;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame) {
            ByteBuf content = frame.content();
            FrameScanner scanner = state.scanner;
            if (scanner.scan(content)) {
                state.onEvent(sub, scanner.seq, scanner.sentNanos, System.nanoTime());
            } else {
                onControl(ctx, content.toString(StandardCharsets.UTF_8));
            }
        } else if (frame instanceof CloseWebSocketFrame close) {
            state.onServerClose(sub, close.statusCode(), close.reasonText());
            ctx.close();
        }
    }

    private void onControl(ChannelHandlerContext ctx, String text) {
        JsonNode msg;
        try {
            msg = Json.MAPPER.readTree(text);
        } catch (Exception e) {
            state.unparsed++;
            return;
        }
        String event = msg.path("event").asText("");
        switch (event) {
            case "pusher:connection_established" -> {
                String subscribe = "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":" + Json.quote(sub.channelName) + "}}";
                ctx.writeAndFlush(new TextWebSocketFrame(subscribe));
            }
            case "pusher_internal:subscription_succeeded" -> state.onSubscribed(sub);
            case "pusher:ping" -> ctx.writeAndFlush(new TextWebSocketFrame("{\"event\":\"pusher:pong\",\"data\":\"{}\"}"));
            case "pusher:pong" -> { }
            case "pusher:error" -> state.onPusherError(sub, msg.path("data").toString());
            default -> state.onOtherEvent(sub, msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            state.onFailure(sub, "WebSocket handshake timed out");
            ctx.close();
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        state.onClosed(sub);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        state.onFailure(sub, cause.getClass().getSimpleName() + ": " + cause.getMessage());
        ctx.close();
    }
}
