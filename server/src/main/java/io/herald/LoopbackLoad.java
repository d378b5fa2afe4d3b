package io.herald;

import io.herald.api.RequestSignature;
import io.herald.app.App;
import io.herald.transport.EventLoops;
import io.herald.wire.Signatures;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The client side of the start-up warm-up: WebSocket subscribers and a signed HTTP publisher on
 * loopback, written at the byte level so that the only Pusher code it runs is the server's. One
 * thread of its own; every wait is bounded by the caller's deadline.
 */
final class LoopbackLoad implements AutoCloseable {
    private static final byte[] END_OF_HEADER = {'\r', '\n', '\r', '\n'};
    /** A masked close frame with status 1000; the zero mask leaves the payload as it is. */
    private static final byte[] CLOSE_FRAME = {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xE8};

    private final EventLoops.Single loop = EventLoops.single("herald-warm-up-client");
    private final Bootstrap bootstrap;
    private final App app;
    private final List<Channel> open = new ArrayList<>();
    /** Publishes written, and those answered with anything but 200. */
    private final AtomicInteger published = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    /** What the held subscribers read; {@link #publish} waits for {@code deliveriesAwaited}. */
    private final AtomicLong deliveries = new AtomicLong();
    private volatile long deliveriesAwaited = Long.MAX_VALUE;
    private volatile CountDownLatch allDelivered = new CountDownLatch(1);
    private int subscribers;
    private int channels = 1;
    /** One signed publish per channel, written again and again (a signature holds for 10 minutes). */
    private final List<ByteBuf> publishRequests = new ArrayList<>();

    LoopbackLoad(int port, App app) {
        this.app = app;
        this.bootstrap = new Bootstrap().group(loop.group()).channel(loop.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
                .remoteAddress(new InetSocketAddress("127.0.0.1", port));
    }

    /**
     * Connects, subscribes to a channel and closes with a close frame, {@code total} times,
     * {@code concurrency} at a time; returns how many went through the whole cycle.
     */
    int churn(int total, int concurrency, long deadlineNanos) throws InterruptedException {
        AtomicInteger started = new AtomicInteger();
        AtomicInteger subscribed = new AtomicInteger();
        CountDownLatch finished = new CountDownLatch(total);
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            int n = started.getAndIncrement();
            if (n >= total || System.nanoTime() > deadlineNanos) {
                return;
            }
            subscriber("warm-up-churn-" + (n % 10), (frames, channel) -> {
                if (frames == 2) { // connection_established, then subscription_succeeded
                    subscribed.incrementAndGet();
                    channel.writeAndFlush(Unpooled.wrappedBuffer(CLOSE_FRAME));
                }
            }).addListener(connected -> {
                Channel channel = ((io.netty.channel.ChannelFuture) connected).channel();
                channel.closeFuture().addListener(closed -> {
                    finished.countDown();
                    next[0].run();
                });
            });
        };
        for (int i = 0; i < concurrency; i++) {
            next[0].run();
        }
        awaitUntil(finished, deadlineNanos);
        return subscribed.get();
    }

    /**
     * Opens {@code subscribers} connections spread over {@code channels} channels and keeps them
     * for {@link #publish}; true once all of them are subscribed.
     */
    boolean openSubscribers(int subscribers, int channels, long deadlineNanos) throws InterruptedException {
        this.channels = channels;
        this.subscribers = subscribers;
        for (int c = 0; c < channels; c++) {
            publishRequests.add(signedPublish("warm-up-" + c));
        }
        CountDownLatch ready = new CountDownLatch(subscribers);
        for (int i = 0; i < subscribers; i++) {
            open.add(subscriber("warm-up-" + (i % channels), (frames, channel) -> {
                if (frames == 2) {
                    ready.countDown();
                } else if (frames > 2 && deliveries.incrementAndGet() == deliveriesAwaited) {
                    allDelivered.countDown();
                }
            }).channel());
        }
        return awaitUntil(ready, deadlineNanos);
    }

    /**
     * Publishes {@code publishes} events to the subscribers' channels through the HTTP API over
     * {@code publishers} kept-alive connections, each waiting for its answer before the next, and
     * waits until the subscribers read them all.
     */
    void publish(int publishes, int publishers, long deadlineNanos) throws InterruptedException {
        allDelivered = new CountDownLatch(1);
        deliveriesAwaited = deliveries.get() + (long) publishes * (subscribers / channels);
        AtomicInteger taken = new AtomicInteger();
        List<Channel> connections = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            connections.add(bootstrap.clone().handler(new HttpAnswers(channel -> {
                int n = taken.getAndIncrement();
                if (n < publishes && System.nanoTime() < deadlineNanos) {
                    published.incrementAndGet();
                    channel.writeAndFlush(publishRequests.get(n % channels).retainedDuplicate());
                }
            }, refused)).connect().channel());
        }
        awaitUntil(allDelivered, deadlineNanos);
        connections.forEach(Channel::close);
    }

    /** A WebSocket connection whose upgrade request carries its subscribe frame in the same write. */
    private io.netty.channel.ChannelFuture subscriber(String channelName, FrameListener listener) {
        byte[] subscribe = ("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channelName + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] upgrade = ("GET /app/" + app.key() + "?protocol=7&client=herald-warm-up&version=1.0 HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: aGVyYWxkIHdhcm0tdXAgIQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        ByteBuf request = Unpooled.buffer(upgrade.length + subscribe.length + 6);
        request.writeBytes(upgrade).writeByte(0x81).writeByte(0x80 | subscribe.length).writeInt(0).writeBytes(subscribe);
        return bootstrap.clone().handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                channel.pipeline().addLast(new ServerFrames(listener));
            }
        }).connect().addListener(connected -> {
            if (connected.isSuccess()) {
                ((io.netty.channel.ChannelFuture) connected).channel().writeAndFlush(request);
            } else {
                request.release();
            }
        });
    }

    /** One {@code POST /apps/{id}/events} signed as the official server libraries sign it. */
    private ByteBuf signedPublish(String channelName) {
        byte[] body = ("{\"name\":\"warm-up\",\"channel\":\"" + channelName + "\",\"data\":\"{\\\"n\\\":1}\"}")
                .getBytes(StandardCharsets.UTF_8);
        String path = "/apps/" + app.id() + "/events";
        Map<String, List<String>> params = Map.of("auth_key", List.of(app.key()),
                "auth_timestamp", List.of(Long.toString(System.currentTimeMillis() / 1000)),
                "auth_version", List.of("1.0"), "body_md5", List.of(Signatures.md5Hex(body)));
        String toSign = RequestSignature.stringToSign("POST", path, params);
        String query = toSign.substring(toSign.lastIndexOf('\n') + 1);
        String head = "POST " + path + "?" + query + "&auth_signature=" + Signatures.hmacSha256Hex(app.secret(), toSign)
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\n\r\n";
        return Unpooled.copiedBuffer(head.getBytes(StandardCharsets.US_ASCII), body);
    }

    /** Publishes sent so far. */
    int published() {
        return published.get();
    }

    /** Events the held subscribers read so far. */
    long delivered() {
        return deliveries.get();
    }

    /** Publishes the server did not answer with 200. */
    int refused() {
        return refused.get();
    }

    /** How much of the blank line that ends an HTTP header has been read, after byte {@code b}. */
    private static int headerEndMatched(int matched, byte b) {
        return b == END_OF_HEADER[matched] ? matched + 1 : b == '\r' ? 1 : 0;
    }

    private static boolean awaitUntil(CountDownLatch latch, long deadlineNanos) throws InterruptedException {
        return latch.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        open.forEach(Channel::close);
        publishRequests.forEach(ByteBuf::release);
        loop.group().shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    interface FrameListener {
        /** Called with the number of server frames read so far on {@code channel}. */
        void frame(int frames, Channel channel);
    }

    /** Skips the 101's header, then counts the server's (unmasked) WebSocket frames without keeping them. */
    private static final class ServerFrames extends ChannelInboundHandlerAdapter {
        private final FrameListener listener;
        private int headerEndMatched;
        private final byte[] frameHeader = new byte[10];
        private int frameHeaderRead;
        private int lengthBytes;
        private long payloadLeft;
        private int frames;

        ServerFrames(FrameListener listener) {
            this.listener = listener;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                while (in.isReadable()) {
                    if (headerEndMatched < END_OF_HEADER.length) {
                        headerEndMatched = headerEndMatched(headerEndMatched, in.readByte());
                    } else if (payloadLeft > 0) {
                        int skipped = (int) Math.min(payloadLeft, in.readableBytes());
                        in.skipBytes(skipped);
                        payloadLeft -= skipped;
                        if (payloadLeft == 0) {
                            frameRead(ctx);
                        }
                    } else {
                        readFrameHeaderByte(ctx, in.readByte());
                    }
                }
            } finally {
                in.release();
            }
        }

        private void readFrameHeaderByte(ChannelHandlerContext ctx, byte b) {
            frameHeader[frameHeaderRead++] = b;
            if (frameHeaderRead == 2) {
                int length = b & 0x7f;
                lengthBytes = length == 126 ? 2 : length == 127 ? 8 : 0;
                payloadLeft = lengthBytes == 0 ? length : 0;
            } else if (frameHeaderRead == 2 + lengthBytes) {
                for (int i = 2; i < frameHeaderRead; i++) {
                    payloadLeft = (payloadLeft << 8) | (frameHeader[i] & 0xff);
                }
            }
            if (frameHeaderRead >= 2 && frameHeaderRead == 2 + lengthBytes) {
                frameHeaderRead = 0;
                if (payloadLeft == 0) {
                    frameRead(ctx);
                }
            }
        }

        private void frameRead(ChannelHandlerContext ctx) {
            listener.frame(++frames, ctx.channel());
        }
    }

    /** Reads HTTP answers (header, then Content-Length bytes) and asks for the next request after each. */
    private static final class HttpAnswers extends ChannelInboundHandlerAdapter {
        private final Consumer<Channel> sendNext;
        private final AtomicInteger refused;
        private final StringBuilder header = new StringBuilder();
        private int headerEndMatched;
        private long bodyLeft = -1; // -1: reading a header

        HttpAnswers(Consumer<Channel> sendNext, AtomicInteger refused) {
            this.sendNext = sendNext;
            this.refused = refused;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            sendNext.accept(ctx.channel());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                while (in.isReadable()) {
                    if (bodyLeft < 0) {
                        byte b = in.readByte();
                        header.append((char) b);
                        headerEndMatched = headerEndMatched(headerEndMatched, b);
                        if (headerEndMatched == END_OF_HEADER.length) {
                            answerHeaderRead();
                        }
                    } else {
                        int skipped = (int) Math.min(bodyLeft, in.readableBytes());
                        in.skipBytes(skipped);
                        bodyLeft -= skipped;
                    }
                    if (bodyLeft == 0) {
                        bodyLeft = -1;
                        sendNext.accept(ctx.channel());
                    }
                }
            } finally {
                in.release();
            }
        }

        private void answerHeaderRead() {
            String text = header.toString();
            header.setLength(0);
            headerEndMatched = 0;
            if (!text.startsWith("HTTP/1.1 200")) {
                refused.incrementAndGet();
            }
            bodyLeft = 0;
            for (String line : text.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                    bodyLeft = Long.parseLong(line.substring(colon + 1).trim());
                }
            }
        }
    }
}
