package io.herald.bench.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A signing client for the HTTP API over a fixed number of keep-alive connections, one request in
 * flight on each (no pipelining), requests beyond that queued in order. Everything runs on one
 * Netty event loop; {@link #submit} may be called from any thread.
 */
public final class ApiClient implements AutoCloseable {
    /** One API call: what to send, and callbacks run on the client's event loop. */
    public interface Call {
        String path();

        byte[] body();

        /** Just before the request is written (nanoTime). */
        default void onSent(long nanos) {}

        /** status -1: the connection failed or closed before answering. */
        void onResponse(int status, long sentNanos, long receivedNanos, String errorBody);
    }

    private final String host;
    private final int port;
    private final int connections;
    private final ApiSigner signer;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final boolean epoll;
    private final ArrayDeque<Call> pending = new ArrayDeque<>();
    private final ArrayDeque<Conn> idle = new ArrayDeque<>();
    private final List<Conn> all = new ArrayList<>();
    private volatile boolean closed;
    private long reconnects;

    public ApiClient(String host, int port, String key, String secret, int connections) {
        this.host = host;
        this.port = port;
        this.connections = connections;
        this.signer = new ApiSigner(key, secret);
        this.epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.loop = group.next();
    }

    /** Opens the connections; throws if none can be opened. */
    public ApiClient open() throws IOException {
        List<io.netty.channel.ChannelFuture> futures = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            futures.add(connect(new Conn()));
        }
        for (var f : futures) {
            if (!f.awaitUninterruptibly(10, TimeUnit.SECONDS) || !f.isSuccess()) {
                close();
                throw new IOException("cannot connect to the HTTP API at " + host + ":" + port
                        + (f.cause() == null ? "" : ": " + f.cause().getMessage()));
            }
        }
        return this;
    }

    public EventLoop loop() {
        return loop;
    }

    /** Connections re-opened after the server closed one. */
    public long reconnects() {
        return reconnects;
    }

    /** Queues a call (any thread). */
    public void submit(Call call) {
        if (loop.inEventLoop()) {
            dispatch(call);
        } else {
            loop.execute(() -> dispatch(call));
        }
    }

    private void dispatch(Call call) {
        Conn conn = idle.pollFirst();
        if (conn == null) {
            pending.addLast(call);
        } else {
            conn.send(call);
        }
    }

    private io.netty.channel.ChannelFuture connect(Conn conn) {
        Bootstrap b = new Bootstrap().group(loop)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), conn);
                    }
                });
        var future = b.connect(new InetSocketAddress(host, port));
        future.addListener(f -> {
            if (f.isSuccess()) {
                conn.channel = future.channel();
                if (!all.contains(conn)) {
                    all.add(conn);
                }
                conn.ready();
            } else if (!closed && all.contains(conn)) {
                // a reconnect failed: give queued calls their error, try again shortly
                Call call = pending.pollFirst();
                if (call != null) {
                    call.onResponse(-1, System.nanoTime(), System.nanoTime(), "connect failed: " + f.cause().getMessage());
                }
                loop.schedule(() -> connect(conn), 100, TimeUnit.MILLISECONDS);
            }
        });
        return future;
    }

    @io.netty.channel.ChannelHandler.Sharable // re-added to the new pipeline when it reconnects
    private final class Conn extends SimpleChannelInboundHandler<FullHttpResponse> {
        Channel channel;
        Call current;
        long sentNanos;

        void ready() {
            Call next = pending.pollFirst();
            if (next != null) {
                send(next);
            } else {
                idle.addLast(this);
            }
        }

        void send(Call call) {
            current = call;
            byte[] body = call.body();
            String uri = signer.signedUri("POST", call.path(), body, System.currentTimeMillis() / 1000);
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri, Unpooled.wrappedBuffer(body));
            request.headers().set(HttpHeaderNames.HOST, host + ":" + port)
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            sentNanos = System.nanoTime();
            call.onSent(sentNanos);
            channel.writeAndFlush(request);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            long now = System.nanoTime();
            Call call = current;
            current = null;
            int status = response.status().code();
            boolean keepAlive = HttpUtil.isKeepAlive(response);
            if (call != null) {
                String error = status / 100 == 2 ? null : response.content().toString(StandardCharsets.UTF_8);
                call.onResponse(status, sentNanos, now, error);
            }
            if (keepAlive) {
                ready();
            } else {
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            idle.remove(this);
            Call call = current;
            current = null;
            if (call != null) {
                call.onResponse(-1, sentNanos, System.nanoTime(), "connection closed before the response");
            }
            if (!closed) {
                reconnects++;
                connect(this);
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        loop.execute(() -> all.forEach(c -> {
            if (c.channel != null) {
                c.channel.close();
            }
        }));
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
