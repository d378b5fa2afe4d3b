package io.herald.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The HTTP side of a connection, from accept until it becomes a WebSocket (or closes):
 * <ul>
 * <li>One request at a time. Once a request has fully arrived nothing more is read or decoded
 * until its answer has been written to the socket; requests pipelined behind it wait in the
 * codec as bytes. Answers leave in request order however late each completes (cluster queries,
 * the Redis rate limiter), per-request state such as the CORS origin cannot leak into the next
 * request, and a client that pipelines without reading costs one answer, not one per request.
 * </ul>
 * It sits right after the codec; {@link #bytesIn()} sits right before it, to hand the codec
 * the bytes it keeps once reading resumes.
 */
final class HttpConnectionGuard extends ChannelDuplexHandler {
    private enum Phase {
        /** Waiting for a request. */
        IDLE,
        /** Part of a request arrived. */
        RECEIVING,
        /** The request arrived whole; the server is working on the answer. Reading is paused. */
        ANSWERING,
        /** The answer was written and is not on the socket yet. Reading is paused. */
        SENDING
    }

    private final HttpCodec codec;
    private final BytesIn bytesIn = new BytesIn();
    /** Messages the codec decoded past the request being answered; at most one decode's worth. */
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private final Runnable decodeHeldBytes = this::decodeHeldBytes;

    private ChannelHandlerContext ctx;
    private Phase phase = Phase.IDLE;
    /** An answer was written before its request had arrived whole (413 while the body still comes). */
    private boolean answeredEarly;
    private boolean earlyAnswerSent;
    private boolean paused;
    private boolean releasing;

    HttpConnectionGuard(HttpCodec codec) {
        this.codec = codec;
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
    }

    // --- inbound: requests, one at a time ---

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
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
        if (arrived) {
            stopSocketReadsIfStillPaused();
        }
    }

    private void startReceiving() {
        if (phase == Phase.IDLE) {
            phase = Phase.RECEIVING;
        }
    }

    private void requestArrived() {
        pauseReading();
        if (!answeredEarly) {
            phase = Phase.ANSWERING;
        } else if (earlyAnswerSent) {
            exchangeDone();
        } else {
            phase = Phase.SENDING;
        }
    }

    /** Reading stops while the read() calls of the handlers above are ignored. */
    @Override
    public void read(ChannelHandlerContext ctx) {
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
     * Most answers leave before the request's last message has finished its way up the pipeline;
     * only for the others are the socket's reads turned off (two system calls a request saved).
     */
    private void stopSocketReadsIfStillPaused() {
        if (paused && ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void resumeReading() {
        if (paused) {
            paused = false;
            codec.decodeOneAtATime(false);
            if (!ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
            // Requests pipelined earlier may be waiting in the codec, and no new bytes may come to
            // decode them: decode them now. Later, not here, which may be inside the codec's own read.
            ctx.executor().execute(decodeHeldBytes);
        }
    }

    private void decodeHeldBytes() {
        ChannelHandlerContext before = bytesIn.ctx;
        if (!paused && before != null && !before.isRemoved() && ctx.channel().isActive()) {
            before.fireChannelRead(Unpooled.EMPTY_BUFFER);
            before.fireChannelReadComplete();
        }
    }

    // --- outbound: the answer ---

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            ctx.write(msg, promise.unvoid()).addListener(written -> {
                if (written.isSuccess()) {
                    upgraded();
                }
            });
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
        }
        ctx.write(msg, promise.unvoid()).addListener(written -> {
            if (written.isSuccess()) {
                answerSent();
            }
        });
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
        releaseHeld();
        if (!bytesIn.ctx.isRemoved()) {
            ctx.pipeline().remove(bytesIn);
        }
        if (!ctx.isRemoved()) {
            ctx.pipeline().remove(this);
        }
        ctx.channel().config().setAutoRead(true);
    }

    // --- clean-up ---

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    private void releaseHeld() {
        Object msg;
        while ((msg = held.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Just before the codec: where the bytes the codec kept are handed back to it. */
    private static final class BytesIn extends ChannelInboundHandlerAdapter {
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }
    }
}
