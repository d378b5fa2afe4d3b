package io.herald.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpConnectionGuard} without a socket: while a request is answered nothing more is
 * decoded, and nothing more read once a read brought more, so a client that pipelines thousands
 * of requests and reads nothing costs two requests' objects and the bytes of two reads, not
 * thousands of queued requests and answers.
 */
class HttpConnectionGuardTest {
    /** The end of the pipeline: records requests and answers them when the test says. */
    private static final class Answerer extends SimpleChannelInboundHandler<FullHttpRequest> {
        final List<String> uris = new ArrayList<>();
        private ChannelHandlerContext ctx;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            this.ctx = ctx;
            uris.add(request.uri() + (request.content().isReadable()
                    ? " " + request.content().toString(StandardCharsets.UTF_8) : ""));
        }

        void answer() {
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(response);
        }
    }

    /** Next to the socket: can hold written data unsent, as when the client does not read. */
    private static final class Socket extends ChannelOutboundHandlerAdapter {
        final ArrayDeque<ChannelPromise> unsent = new ArrayDeque<>();
        boolean clientReads = true;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (clientReads) {
                ctx.write(msg, promise);
            } else {
                ReferenceCountUtil.release(msg);
                unsent.add(promise);
            }
        }

        void clientReadsEverything() {
            clientReads = true;
            ChannelPromise promise;
            while ((promise = unsent.poll()) != null) {
                promise.setSuccess();
            }
        }
    }

    private final Socket socket = new Socket();
    private final Answerer answerer = new Answerer();
    private final HttpCodec codec = new HttpCodec();
    private final HttpConnectionGuard guard = new HttpConnectionGuard(codec, 30, 60);
    private final EmbeddedChannel channel = new EmbeddedChannel(socket, codec.encoder(), guard.bytesIn(), codec.decoder(),
            guard, new HttpObjectAggregator(65536), answerer);

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void receive(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
        channel.runPendingTasks();
    }

    @Test
    void thousandsOfPipelinedRequestsAreTakenOneAtATime() {
        int requests = 2000;
        StringBuilder pipeline = new StringBuilder();
        for (int i = 0; i < requests; i++) {
            pipeline.append("GET /r").append(i).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        int half = pipeline.indexOf("GET /r" + requests / 2 + " ");
        receive(pipeline.substring(0, half));
        assertThat(channel.config().isAutoRead()).as("reading on: nothing came after the first read").isTrue();
        receive(pipeline.substring(half));
        for (int i = 0; i < requests; i++) {
            assertThat(answerer.uris).as("requests handed on before answer %d", i).hasSize(i + 1);
            assertThat(answerer.uris.get(i)).isEqualTo("/r" + i);
            assertThat(channel.config().isAutoRead()).as("reading while request %d is answered", i).isFalse();
            assertThat(guard.heldMessages()).as("decoded requests waiting (head and end of one per read at most)")
                    .isLessThanOrEqualTo(4);
            answerer.answer();
            channel.runPendingTasks();
        }
        assertThat(answerer.uris).hasSize(requests);
        assertThat(channel.config().isAutoRead()).as("reading again once everything is answered").isTrue();
    }

    @Test
    void anAnswerTheClientHasNotTakenKeepsReadingPaused() {
        receive("GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(answerer.uris).containsExactly("/first");

        socket.clientReads = false;
        answerer.answer();
        channel.runPendingTasks();
        assertThat(answerer.uris).as("the answer is written but still ours").containsExactly("/first");
        receive("GET /third HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(answerer.uris).containsExactly("/first");
        assertThat(channel.config().isAutoRead()).as("bytes came while answering: reads stop").isFalse();

        socket.clientReadsEverything();
        channel.runPendingTasks();
        assertThat(answerer.uris).containsExactly("/first", "/second");
        answerer.answer();
        channel.runPendingTasks();
        assertThat(answerer.uris).containsExactly("/first", "/second", "/third");
        answerer.answer();
        channel.runPendingTasks();
        assertThat(channel.config().isAutoRead()).as("reading again once everything is answered").isTrue();
    }

    @Test
    void aClientWaitingForALateAnswerCostsNoSystemCallToPauseReads() {
        receive("POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
        assertThat(answerer.uris).containsExactly("/events {}");
        channel.runPendingTasks();
        assertThat(channel.config().isAutoRead()).as("nothing else came: reads stay on while the answer waits").isTrue();
        answerer.answer();
        channel.runPendingTasks();
        receive("GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(answerer.uris).containsExactly("/events {}", "/next");
    }

    @Test
    void aBodyArrivingInPiecesIsReadWhileItsRequestIsIncomplete() {
        receive("POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234");
        assertThat(answerer.uris).isEmpty();
        assertThat(channel.config().isAutoRead()).isTrue();
        receive("56789GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(answerer.uris).containsExactly("/body 0123456789");
        answerer.answer();
        channel.runPendingTasks();
        assertThat(answerer.uris).containsExactly("/body 0123456789", "/after");
    }

    @Test
    void aHeadRequestIsAnsweredWithoutABody() {
        receive("HEAD /up HTTP/1.1\r\nHost: x\r\n\r\n");
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer("OK", StandardCharsets.US_ASCII));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 2);
        channel.writeAndFlush(response);
        StringBuilder written = new StringBuilder();
        Object out;
        while ((out = channel.readOutbound()) != null) {
            written.append(((io.netty.buffer.ByteBuf) out).toString(StandardCharsets.US_ASCII));
            ReferenceCountUtil.release(out);
        }
        assertThat(written.toString()).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\n");
    }
}
