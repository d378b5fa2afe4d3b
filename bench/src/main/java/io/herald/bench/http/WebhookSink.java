package io.herald.bench.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A webhook endpoint for the bench, on loopback: answers every POST 200 at once (keep-alive) and
 * counts what arrives. Client events whose {@code data} is {@code "seq:sentNanos"} are tracked by
 * sequence number (delivered once, twice) and timed from their send time (System.nanoTime is
 * CLOCK_MONOTONIC, comparable across processes on one machine). Anything else posted (the fan-out's
 * publisher warming up against it) is answered and not counted.
 */
public final class WebhookSink implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel listener;
    private final BitSet seen = new BitSet();
    private long events;
    private long posts;
    private long duplicates;
    private long measured;
    private long lastArrivalNanos;
    private final Histogram latencyMicros = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);

    public WebhookSink() throws InterruptedException {
        listener = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(16 * 1024 * 1024), new Handler());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** What arrived so far. */
    public record Counts(long posts, long events, long measuredEvents, long distinctMeasured, long duplicates,
                         long lastArrivalNanos, Histogram latencyMicros) {}

    public synchronized Counts counts() {
        return new Counts(posts, events, measured, seen.cardinality(), duplicates, lastArrivalNanos, latencyMicros.copy());
    }

    /** Forgets everything counted so far: what arrives from now on is measured. */
    public synchronized void resetMeasured() {
        posts = 0;
        events = 0;
        seen.clear();
        measured = 0;
        duplicates = 0;
        latencyMicros.reset();
    }

    private synchronized void received(JsonNode body, long nowNanos) {
        posts++;
        lastArrivalNanos = nowNanos;
        for (JsonNode event : body.path("events")) {
            events++;
            String data = event.path("data").asText("");
            int colon = data.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            try {
                int seq = Integer.parseInt(data.substring(0, colon));
                long sent = Long.parseLong(data.substring(colon + 1));
                if (seq < 0) {
                    continue; // warm-up
                }
                measured++;
                if (seen.get(seq)) {
                    duplicates++;
                } else {
                    seen.set(seq);
                }
                latencyMicros.recordValue(Math.max(0, Math.min(latencyMicros.getHighestTrackableValue(), (nowNanos - sent) / 1000)));
            } catch (NumberFormatException e) {
                // not one of ours
            }
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws IOException {
            long now = System.nanoTime();
            JsonNode body = JSON.readTree((java.io.InputStream) new ByteBufInputStream(request.content()));
            if (body != null) {
                received(body, now);
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            var written = ctx.writeAndFlush(response);
            if (!keepAlive) {
                written.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            }
        }
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
