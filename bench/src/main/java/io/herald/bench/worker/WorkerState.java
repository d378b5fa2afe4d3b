package io.herald.bench.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Everything a worker holds: one event loop, its connections and the counts and latency histogram
 * of what they received. All fields are touched on the event loop thread only.
 */
final class WorkerState {
    /** Latencies in microseconds, up to one hour, 3 significant digits. */
    static Histogram newHistogram() {
        return new Histogram(TimeUnit.HOURS.toMicros(1), 3);
    }

    final EventLoopGroup group;
    final EventLoop loop;
    final FrameScanner scanner = new FrameScanner();
    private final boolean epoll;
    private final List<Subscriber> subscribers = new ArrayList<>();
    private final Histogram latency = newHistogram();

    long delivered;
    /** nanoTime of the latest first-time delivery (0: none since the last reset). */
    long lastDeliveryNanos;
    long duplicates;
    long warmup;
    long unparsed;
    long pusherErrors;
    long otherEvents;
    long closedAfterSubscribe;
    long open;
    private final Map<String, Integer> failureReasons = new LinkedHashMap<>();
    private final Map<String, Integer> closeReasons = new LinkedHashMap<>();
    private String lastPusherError;

    private ConnectBatch batch;

    WorkerState() {
        epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        loop = group.next();
    }

    String transport() {
        return epoll ? "epoll" : "nio";
    }

    boolean epoll() {
        return epoll;
    }

    // ------------------------------------------------------------------ connecting

    /** Parameters of one "connect" command. */
    record ConnectSpec(List<URI> urls, String localAddress, int first, int count, int channels, String prefix,
                       int concurrency, long timeoutMillis) {}

    private final class ConnectBatch {
        final ConnectSpec spec;
        final CompletableFuture<ObjectNode> done = new CompletableFuture<>();
        final long startNanos = System.nanoTime();
        final int[] perChannel;
        int next;
        int inFlight;
        int subscribed;
        int failed;
        final List<Subscriber> members = new ArrayList<>();

        ConnectBatch(ConnectSpec spec) {
            this.spec = spec;
            this.perChannel = new int[spec.channels()];
        }
    }

    /** Runs on the loop: opens spec.count connections, at most spec.concurrency at a time. */
    CompletableFuture<ObjectNode> connect(ConnectSpec spec) {
        CompletableFuture<ObjectNode> result = new CompletableFuture<>();
        loop.execute(() -> {
            if (batch != null) {
                result.completeExceptionally(new IllegalStateException("a connect is already running"));
                return;
            }
            batch = new ConnectBatch(spec);
            batch.done.whenComplete((r, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                } else {
                    result.complete(r);
                }
            });
            ConnectBatch b = batch;
            loop.schedule(() -> finishBatch(b, true), spec.timeoutMillis(), TimeUnit.MILLISECONDS);
            if (spec.count() == 0) {
                finishBatch(b, false);
            } else {
                launchMore(b);
            }
        });
        return result;
    }

    private void launchMore(ConnectBatch b) {
        while (batch == b && b.inFlight < b.spec.concurrency() && b.next < b.spec.count()) {
            int global = b.spec.first() + b.next++;
            b.inFlight++;
            int channelIndex = global % b.spec.channels();
            Subscriber sub = new Subscriber(global, b.spec.prefix() + channelIndex, channelIndex);
            sub.batch = b;
            subscribers.add(sub);
            b.members.add(sub);
            // consecutive subscribers of one channel land on different nodes (cluster mode)
            open(sub, b.spec.urls().get((global / b.spec.channels()) % b.spec.urls().size()), b.spec.localAddress());
        }
    }

    private void open(Subscriber sub, URI uri, String localAddress) {
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .version(WebSocketVersion.V13)
                .allowExtensions(false)
                .maxFramePayloadLength(1 << 20)
                .handshakeTimeoutMillis(30_000)
                .dropPongFrames(true)
                .handleCloseFrames(false) // PusherClientHandler records the server's close code (4100, 4200...)
                .build();
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                new HttpClientCodec(),
                                new HttpObjectAggregator(65536),
                                new WebSocketClientProtocolHandler(config),
                                new WebSocketFrameAggregator(1 << 20),
                                new PusherClientHandler(WorkerState.this, sub));
                    }
                });
        int port = uri.getPort() > 0 ? uri.getPort() : 80;
        ChannelFuture f = bootstrap.connect(new InetSocketAddress(uri.getHost(), port), new InetSocketAddress(localAddress, 0));
        sub.channel = f.channel();
        f.addListener(future -> {
            if (future.isSuccess()) {
                open++;
            } else {
                onFailure(sub, "connect: " + future.cause().getMessage());
            }
        });
    }

    void onSubscribed(Subscriber sub) {
        if (sub.settled) {
            return;
        }
        sub.settled = true;
        sub.subscribed = true;
        ConnectBatch b = batch;
        if (b != null && sub.batch == b) {
            b.inFlight--;
            b.subscribed++;
            b.perChannel[sub.channelIndex]++;
            afterSettle(b);
        }
    }

    void onFailure(Subscriber sub, String reason) {
        if (sub.settled) {
            if (sub.subscribed) {
                count(closeReasons, reason);
            }
            return;
        }
        sub.settled = true;
        count(failureReasons, reason);
        ConnectBatch b = batch;
        if (b != null && sub.batch == b) {
            b.inFlight--;
            b.failed++;
            afterSettle(b);
        }
        if (sub.channel != null) {
            sub.channel.close();
        }
    }

    private void afterSettle(ConnectBatch b) {
        if (b.subscribed + b.failed >= b.spec.count()) {
            finishBatch(b, false);
        } else {
            launchMore(b);
        }
    }

    private void finishBatch(ConnectBatch b, boolean timedOut) {
        if (batch != b) {
            return;
        }
        batch = null;
        int pending = b.spec.count() - b.subscribed - b.failed;
        if (timedOut && pending > 0) {
            count(failureReasons, "not subscribed within " + b.spec.timeoutMillis() + " ms");
            for (Subscriber sub : b.members) {
                if (!sub.settled) {
                    sub.settled = true;
                    if (sub.channel != null) {
                        sub.channel.close();
                    }
                }
            }
        }
        ObjectNode ready = Json.object();
        ready.put("type", "ready");
        ready.put("requested", b.spec.count());
        ready.put("subscribed", b.subscribed);
        ready.put("failed", b.spec.count() - b.subscribed);
        ready.put("elapsed_ms", Json.round3((System.nanoTime() - b.startNanos) / 1e6));
        ready.put("transport", transport());
        ArrayNode per = ready.putArray("subscribed_per_channel");
        for (int n : b.perChannel) {
            per.add(n);
        }
        ready.set("failure_reasons", reasons(failureReasons));
        b.done.complete(ready);
    }

    // ------------------------------------------------------------------ receiving

    void onEvent(Subscriber sub, long seq, long sentNanos, long nowNanos) {
        if (seq < 0) {
            warmup++;
            return;
        }
        if (seq > Integer.MAX_VALUE) {
            unparsed++;
            return;
        }
        int s = (int) seq;
        if (sub.seen.get(s)) {
            duplicates++;
            return;
        }
        sub.seen.set(s);
        delivered++;
        lastDeliveryNanos = nowNanos;
        long micros = (nowNanos - sentNanos) / 1000;
        latency.recordValue(Math.max(0, Math.min(micros, latency.getHighestTrackableValue())));
    }

    void onPusherError(Subscriber sub, String data) {
        pusherErrors++;
        lastPusherError = data;
        if (!sub.settled) {
            onFailure(sub, "pusher:error " + data);
        }
    }

    void onOtherEvent(Subscriber sub, JsonNode msg) {
        otherEvents++;
    }

    void onServerClose(Subscriber sub, int code, String reason) {
        String text = "closed by server: " + code + (reason == null || reason.isEmpty() ? "" : " " + reason);
        if (sub.settled) {
            if (sub.subscribed) {
                count(closeReasons, text);
            }
        } else {
            onFailure(sub, text);
        }
    }

    void onClosed(Subscriber sub) {
        open--;
        if (!sub.settled) {
            onFailure(sub, "connection closed before subscribing");
        } else if (sub.subscribed && !sub.closedByUs) {
            closedAfterSubscribe++;
        }
    }

    // ------------------------------------------------------------------ reports

    ObjectNode stats(boolean withHistogram) {
        ObjectNode s = Json.object();
        s.put("type", withHistogram ? "report" : "stats");
        s.put("delivered", delivered);
        s.put("last_delivery_nanos", lastDeliveryNanos);
        s.put("duplicates", duplicates);
        s.put("warmup_received", warmup);
        s.put("unparsed", unparsed);
        s.put("pusher_errors", pusherErrors);
        s.put("other_events", otherEvents);
        s.put("open", open);
        s.put("closed_after_subscribe", closedAfterSubscribe);
        s.set("close_reasons", reasons(closeReasons));
        if (lastPusherError != null) {
            s.put("last_pusher_error", lastPusherError);
        }
        if (withHistogram) {
            s.put("histogram", encode(latency));
            s.put("count", latency.getTotalCount());
        }
        return s;
    }

    void reset() {
        delivered = 0;
        lastDeliveryNanos = 0;
        duplicates = 0;
        warmup = 0;
        unparsed = 0;
        pusherErrors = 0;
        otherEvents = 0;
        closedAfterSubscribe = 0;
        closeReasons.clear();
        lastPusherError = null;
        latency.reset();
        for (Subscriber sub : subscribers) {
            sub.seen.clear();
        }
    }

    /** Closes every connection (on the loop); completes when all are closed. */
    CompletableFuture<Integer> closeAll() {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        loop.execute(() -> {
            List<Channel> channels = new ArrayList<>();
            for (Subscriber sub : subscribers) {
                sub.closedByUs = true;
                if (sub.channel != null && sub.channel.isOpen()) {
                    channels.add(sub.channel);
                }
            }
            subscribers.clear();
            if (channels.isEmpty()) {
                done.complete(0);
                return;
            }
            int[] remaining = {channels.size()};
            for (Channel ch : channels) {
                ch.close().addListener(f -> {
                    if (--remaining[0] == 0) {
                        done.complete(channels.size());
                    }
                });
            }
        });
        return done;
    }

    static String encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }

    private static void count(Map<String, Integer> map, String reason) {
        if (map.size() < 20 || map.containsKey(reason)) {
            map.merge(reason, 1, Integer::sum);
        }
    }

    private static ObjectNode reasons(Map<String, Integer> map) {
        ObjectNode node = Json.object();
        map.forEach(node::put);
        return node;
    }
}
