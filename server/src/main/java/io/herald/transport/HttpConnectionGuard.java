package io.herald.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of a connection, from accept until it becomes a WebSocket (or closes):
 * <ul>
 * <li>One request at a time. Once a request has fully arrived nothing more is decoded until its
 * answer has been written to the socket, and the socket is not read again once a read brought
 * bytes meanwhile; requests pipelined behind it wait in the codec as bytes. Answers leave in
 * request order however late each completes (cluster queries, the Redis rate limiter),
 * per-request state such as the CORS origin cannot leak into the next request, and a client that
 * pipelines without reading costs one answer, not one per request.
 * <li>Bounded waits on the client. A request (headers and body) must arrive within
 * {@code http_request_timeout} of its first byte, or of the connection for the first one; its
 * answer must be taken by the client within the same time; a kept-alive connection may wait
 * {@code http_idle_timeout} for its next request. No clock runs while the server works on an
 * answer. A request cut off half-way gets 408; an idle connection is just closed (a 408 there
 * could be read as the answer to a request the client is sending at that moment).
 * </ul>
 * It sits right after the codec; {@link #bytesIn()} sits right before it, to see the first byte
 * of a request the codec has not decoded yet.
 */
final class HttpConnectionGuard extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(HttpConnectionGuard.class);

    private enum Phase {
        /** Waiting for a request: the first one since accept, or the next on a kept-alive connection. */
        IDLE,
        /** Part of a request arrived. */
        RECEIVING,
        /** The request arrived whole; the server is working on the answer. Reading is paused. */
        ANSWERING,
        /** The answer was written and is not on the socket yet. Reading is paused. */
        SENDING
    }

    private final HttpCodec codec;
    private final long requestTimeoutNanos;
    private final long idleTimeoutNanos;
    private final BytesIn bytesIn = new BytesIn();
    /** Messages the codec decoded past the request being answered; at most one decode's worth per read. */
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private final Runnable decodeHeldBytes = this::decodeHeldBytes;

    private ChannelHandlerContext ctx;
    private Phase phase = Phase.IDLE;
    /** An answer was written before its request had arrived whole (413 while the body still comes). */
    private boolean answeredEarly;
    private boolean earlyAnswerSent;
    private boolean paused;
    /**
     * A read() from above came while paused and was not passed on. On io_uring the socket is read
     * only when asked (epoll and NIO keep reading while auto-read is on), so it is passed on when
     * reading resumes, or a kept-alive connection would never be read again.
     */
    private boolean readHeldBack;
    /** A 101 was written and its flush is left to the router's, which follows it. */
    private boolean holdingUpgradeFlush;
    private boolean releasing;
    private ScheduledFuture<?> timer;
    private boolean timerIsForRequest;

    HttpConnectionGuard(HttpCodec codec, int requestTimeoutSeconds, int idleTimeoutSeconds) {
        this.codec = codec;
        this.requestTimeoutNanos = TimeUnit.SECONDS.toNanos(requestTimeoutSeconds);
        this.idleTimeoutNanos = TimeUnit.SECONDS.toNanos(idleTimeoutSeconds);
    }

    /** The handler to place just before the codec. */
    ChannelInboundHandler bytesIn() {
        return bytesIn;
    }

    /** Decoded messages waiting behind the request being answered (the test of the bound reads it). */
    int heldMessages() {
        return held.size();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            armRequestTimer(); // the first request's clock starts at the connection
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (timer == null) {
            armRequestTimer();
        }
        ctx.fireChannelActive();
    }

    // --- inbound: requests, one at a time ---

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof WebSocketFrame) {
            // Sent right behind the upgrade request; the handshake handed them to the WebSocket decoder.
            ctx.fireChannelRead(msg);
            return;
        }
        if (phase == Phase.ANSWERING || phase == Phase.SENDING) {
            held.add(msg); // the next request: it waits for this one's answer
            return;
        }
        pass(msg);
    }

    /** Forwards one message of the current request (IDLE or RECEIVING), noting where the request ends. */
    private void pass(Object msg) {
        if (msg instanceof HttpRequest) {
            startReceiving();
        }
        // A message the codec could not decode is the last of its request: nothing follows it.
        boolean last = msg instanceof LastHttpContent
                || (msg instanceof DecoderResultProvider decoded && decoded.decoderResult().isFailure());
        boolean arrived = last && phase == Phase.RECEIVING;
        if (arrived) {
            requestArrived();
        }
        ctx.fireChannelRead(msg);
    }

    private void startReceiving() {
        if (phase == Phase.IDLE) {
            phase = Phase.RECEIVING;
            if (!timerIsForRequest) {
                armRequestTimer();
            }
        }
    }

    private void requestArrived() {
        pauseReading();
        if (!answeredEarly) {
            phase = Phase.ANSWERING;
            cancelTimer(); // the server's turn
        } else if (earlyAnswerSent) {
            exchangeDone();
        } else {
            phase = Phase.SENDING;
        }
    }

    /** Reading stops while the read() calls of the handlers above are held back. */
    @Override
    public void read(ChannelHandlerContext ctx) {
        readHeldBack = paused;
        if (!paused) {
            ctx.read();
        }
    }

    private void pauseReading() {
        if (!paused) {
            paused = true;
            codec.decodeOneAtATime(true); // the rest of this read stays bytes in the codec
        }
    }

    /**
     * Bytes came while a request is answered: a client pipelining. They wait in the codec, and the
     * socket is read no more until the answer is out. Only then: turning reads off and on costs two
     * system calls, which a client that waits for its answers (and an answer that waits for the
     * cluster bus or Redis) would pay for nothing.
     */
    private void stopSocketReads() {
        if (ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void resumeReading() {
        if (paused) {
            paused = false;
            codec.decodeOneAtATime(false);
            // Requests pipelined earlier may be waiting in the codec, and no new bytes may come to
            // decode them: decode them now. Later, not here, which may be inside the codec's own read.
            ctx.executor().execute(decodeHeldBytes);
        }
    }

    /**
     * Decodes what waits in the codec; the socket is read again only when no whole request was
     * left there, so that the codec never holds more than a request's rest and one read.
     */
    private void decodeHeldBytes() {
        ChannelHandlerContext before = bytesIn.ctx;
        if (!paused && before != null && !before.isRemoved() && ctx.channel().isActive()) {
            before.fireChannelRead(Unpooled.EMPTY_BUFFER);
            before.fireChannelReadComplete();
        }
        if (!paused) {
            readAgain();
        }
    }

    /** Auto-read back on (which reads), or the read() held back passed on; nothing if neither. */
    private void readAgain() {
        if (!ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        } else if (readHeldBack) {
            readHeldBack = false;
            ctx.channel().read();
        }
    }

    // --- outbound: the answer ---

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            // HTTP is over for this socket: its reads are not paused for an answer any more (when the
            // 101 is written before the request has left the pipeline, no system call turns them off).
            paused = false;
            holdingUpgradeFlush = true;
            ctx.write(msg, promise.unvoid()).addListener(written -> {
                if (written.isSuccess()) {
                    upgraded();
                }
            });
            codec.switchedToWebSocket(); // the codec's encoder, below us, has just encoded it
            return;
        }
        boolean informational = msg instanceof HttpResponse response
                && response.status().codeClass() == HttpStatusClass.INFORMATIONAL; // 100 Continue: the request goes on
        if (!(msg instanceof LastHttpContent) || informational) {
            ctx.write(msg, promise);
            return;
        }
        if (phase == Phase.RECEIVING) {
            answeredEarly = true;
        } else if (phase == Phase.ANSWERING) {
            phase = Phase.SENDING;
            armRequestTimer(); // the client's turn: to take the answer
        }
        ctx.write(msg, promise.unvoid()).addListener(written -> {
            if (written.isSuccess()) {
                answerSent();
            }
        });
    }

    /**
     * The handshaker flushes its 101 at once; the router writes the connection's first frame right
     * after it and flushes both, so that flush is the one that goes through.
     */
    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (holdingUpgradeFlush) {
            holdingUpgradeFlush = false;
            return;
        }
        ctx.flush();
    }

    private void answerSent() {
        if (phase == Phase.SENDING) {
            exchangeDone();
        } else if (phase == Phase.RECEIVING && answeredEarly) {
            earlyAnswerSent = true;
        }
    }

    /** The request arrived whole and its answer is on the socket: the next request may come. */
    private void exchangeDone() {
        phase = Phase.IDLE;
        answeredEarly = false;
        earlyAnswerSent = false;
        armIdleTimer();
        if (releasing) {
            return; // the loop below goes on with the next held message
        }
        releasing = true;
        try {
            while (!held.isEmpty() && (phase == Phase.IDLE || phase == Phase.RECEIVING)) {
                pass(held.poll());
            }
        } finally {
            releasing = false;
        }
        if (phase == Phase.IDLE || phase == Phase.RECEIVING) {
            resumeReading();
        }
    }

    /** The 101 is on the socket: from here on the connection is a WebSocket, guarded by its own rules. */
    private void upgraded() {
        cancelTimer();
        releaseHeld();
        if (!bytesIn.ctx.isRemoved()) {
            ctx.pipeline().remove(bytesIn);
        }
        readAgain();
        if (!ctx.isRemoved()) {
            ctx.pipeline().remove(this);
        }
    }

    // --- timers ---

    private void armRequestTimer() {
        arm(requestTimeoutNanos, true);
    }

    private void armIdleTimer() {
        arm(idleTimeoutNanos, false);
    }

    private void arm(long nanos, boolean forRequest) {
        cancelTimer();
        timerIsForRequest = forRequest;
        timer = ctx.executor().schedule(this::timedOut, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        timerIsForRequest = false;
    }

    private void timedOut() {
        timer = null;
        if (!ctx.channel().isActive() || ctx.isRemoved()) {
            return;
        }
        switch (phase) {
            case RECEIVING -> {
                log.debug("closing HTTP connection {}: request not received within {} s", ctx.channel().remoteAddress(),
                        TimeUnit.NANOSECONDS.toSeconds(requestTimeoutNanos));
                requestTimeout();
            }
            case SENDING -> {
                log.debug("closing HTTP connection {}: answer not read within {} s", ctx.channel().remoteAddress(),
                        TimeUnit.NANOSECONDS.toSeconds(requestTimeoutNanos));
                ctx.close();
            }
            case IDLE -> {
                log.debug("closing idle HTTP connection {}", ctx.channel().remoteAddress());
                ctx.close();
            }
            case ANSWERING -> { } // no clock runs while the server works
        }
    }

    /** 408 and close, written below the handlers that could still be holding the unfinished request. */
    private void requestTimeout() {
        byte[] body = ("{\"error\":\"Request not received within " + TimeUnit.NANOSECONDS.toSeconds(requestTimeoutNanos)
                + " s (http_request_timeout)\"}").getBytes(StandardCharsets.UTF_8);
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    // --- clean-up ---

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
        releaseHeld();
    }

    private void releaseHeld() {
        Object msg;
        while ((msg = held.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Sees the bytes before the codec does: the first byte of a request on a kept-alive
     * connection starts the request clock even while the codec still waits for a whole head.
     */
    private final class BytesIn extends ChannelInboundHandlerAdapter {
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
                if (phase == Phase.IDLE) {
                    startReceiving();
                } else if (paused) {
                    stopSocketReads();
                }
            }
            ctx.fireChannelRead(msg);
        }
    }
}
