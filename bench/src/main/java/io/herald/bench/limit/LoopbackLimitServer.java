package io.herald.bench.limit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The loopback limit: the least a Pusher-protocol server on Netty must do to deliver the bench's
 * fan-out, and nothing else. It answers the WebSocket upgrade and {@code pusher:subscribe} (no
 * auth, no app check), and a {@code POST /apps/ID/events} (no signature, no limits, no cluster)
 * by encoding the event's frame once and writing that same buffer to every subscriber of the
 * channel, one flush per socket per loop turn, on the same epoll transport, loop count and JVM
 * options as Herald. Its deliveries per CPU-second are the ceiling Herald is measured against
 * ({@code fanout --limit}). Not a server for anything but the bench.
 */
public final class LoopbackLimitServer {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Each loop's subscribers per channel; touched only by that loop. */
    private static final class LoopState {
        final Map<String, List<Channel>> subscribers = new HashMap<>();
        final List<Channel> unflushed = new ArrayList<>();
        boolean flushScheduled;
    }

    private final Map<EventLoop, LoopState> states = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        new LoopbackLimitServer().run(port);
    }

    private void run(int port) throws InterruptedException {
        MultiThreadIoEventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        MultiThreadIoEventLoopGroup workers = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                EpollIoHandler.newFactory());
        workers.forEach(executor -> states.put((EventLoop) executor, new LoopState()));
        new ServerBootstrap().group(boss, workers).channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new HttpHandler());
                    }
                })
                .bind("127.0.0.1", port).sync().channel().closeFuture().sync();
    }

    private final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            String path = request.uri();
            if (path.startsWith("/app/")) {
                WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory("ws://127.0.0.1" + path, null, false)
                        .newHandshaker(request);
                Channel channel = ctx.channel();
                handshaker.handshake(channel, request).addListener((ChannelFutureListener) done -> {
                    if (done.isSuccess()) {
                        channel.writeAndFlush(new TextWebSocketFrame("{\"event\":\"pusher:connection_established\",\"data\":"
                                + "\"{\\\"socket_id\\\":\\\"1." + channel.hashCode() + "\\\",\\\"activity_timeout\\\":120}\"}"));
                    }
                });
                ctx.pipeline().replace(this, "ws", new FrameHandler());
                return;
            }
            if (path.startsWith("/up")) {
                answer(ctx, request, "OK");
                return;
            }
            if (path.contains("/events")) {
                JsonNode event = JSON.readTree(request.content().toString(StandardCharsets.UTF_8));
                List<String> channels = new ArrayList<>();
                event.path("channels").forEach(c -> channels.add(c.asText()));
                if (event.hasNonNull("channel")) {
                    channels.add(event.get("channel").asText());
                }
                for (String channel : channels) {
                    publish(channel, event.path("name").asText(), event.path("data").asText());
                }
                answer(ctx, request, "{}");
                return;
            }
            answer(ctx, request, "{}");
        }
    }

    private static void answer(ChannelHandlerContext ctx, FullHttpRequest request, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        HttpUtil.setContentLength(response, body.length());
        HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
        ctx.writeAndFlush(response);
    }

    private final class FrameHandler extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) throws Exception {
            JsonNode message = JSON.readTree(frame.text());
            if (!"pusher:subscribe".equals(message.path("event").asText())) {
                return;
            }
            String channel = message.path("data").path("channel").asText();
            LoopState state = states.get(ctx.channel().eventLoop());
            state.subscribers.computeIfAbsent(channel, c -> new ArrayList<>()).add(ctx.channel());
            ctx.channel().closeFuture().addListener(closed -> state.subscribers.get(channel).remove(ctx.channel()));
            ctx.writeAndFlush(new TextWebSocketFrame("{\"event\":\"pusher_internal:subscription_succeeded\",\"channel\":"
                    + JSON.writeValueAsString(channel) + ",\"data\":\"{}\"}"));
        }
    }

    /** Encodes the WebSocket frame once and hands the same bytes to every loop. */
    private void publish(String channel, String name, String data) throws Exception {
        byte[] text = JSON.writeValueAsBytes(Map.of("event", name, "channel", channel, "data", data));
        ByteBuf frame = Unpooled.directBuffer(text.length + 4);
        frame.writeByte(0x81); // FIN, text
        if (text.length < 126) {
            frame.writeByte(text.length);
        } else {
            frame.writeByte(126).writeShort(text.length);
        }
        frame.writeBytes(text);
        try {
            states.forEach((loop, state) -> {
                if (loop.inEventLoop()) {
                    deliver(loop, state, channel, frame);
                } else {
                    frame.retain();
                    loop.execute(() -> {
                        try {
                            deliver(loop, state, channel, frame);
                        } finally {
                            frame.release();
                        }
                    });
                }
            });
        } finally {
            frame.release();
        }
    }

    private static void deliver(EventLoop loop, LoopState state, String channel, ByteBuf frame) {
        List<Channel> subscribers = state.subscribers.get(channel);
        if (subscribers == null || subscribers.isEmpty()) {
            return;
        }
        for (Channel subscriber : subscribers) {
            // Below the WebSocket encoder (the first handler), as Herald writes its ready-made frames.
            subscriber.pipeline().firstContext().write(frame.retainedDuplicate(), subscriber.voidPromise());
            state.unflushed.add(subscriber);
        }
        if (!state.flushScheduled) {
            state.flushScheduled = true;
            loop.execute(() -> {
                state.flushScheduled = false;
                state.unflushed.forEach(Channel::flush);
                state.unflushed.clear();
            });
        }
    }
}
