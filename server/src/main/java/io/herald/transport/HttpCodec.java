package io.herald.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.List;

/**
 * What Netty's {@code HttpServerCodec} does (a request decoder, a response encoder that sends no
 * body in answer to HEAD), as two handlers, because that class is final and its decoder cannot be
 * reached: {@link HttpConnectionGuard} needs to make the decoder stop after each message while a
 * request is being answered, so that requests pipelined behind it wait as bytes, not as decoded
 * objects. Netty's WebSocket handshaker finds both by their types, as it does the combined codec.
 */
final class HttpCodec {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);
    private final Decoder decoder = new Decoder();
    private final Encoder encoder = new Encoder();

    Decoder decoder() {
        return decoder;
    }

    Encoder encoder() {
        return encoder;
    }

    void decodeOneAtATime(boolean on) {
        decoder.setSingleDecode(on);
    }

    /** Called once the 101 has passed the encoder: from here on, writes are WebSocket bytes. */
    void switchedToWebSocket() {
        encoder.switchedProtocols = true;
    }

    final class Decoder extends HttpRequestDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            int before = out.size();
            super.decode(ctx, buffer, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest request) {
                    methods.add(request.method());
                }
            }
        }
    }

    final class Encoder extends HttpResponseEncoder {
        /** The 101 was encoded: what follows is WebSocket bytes, which pass untouched. */
        private boolean switchedProtocols;

        /**
         * The handshaker removes this encoder only once the 101 is on the socket; the connection's
         * first frames are written before that, in the same flush.
         */
        @Override
        public boolean acceptOutboundMessage(Object msg) throws Exception {
            return !switchedProtocols && super.acceptOutboundMessage(msg);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse response) {
            // 1xx answers (100 Continue) come before the request's final answer: they do not end it.
            HttpMethod method = response.status().codeClass() == HttpStatusClass.INFORMATIONAL ? null : methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(response);
        }
    }
}
