package io.herald.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** {@code ssl.redirect_http}: answers every plain HTTP request with a 301 to the TLS port. */
final class HttpsRedirect extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final int tlsPort;

    HttpsRedirect(int tlsPort) {
        this.tlsPort = tlsPort;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String host = request.headers().get(HttpHeaderNames.HOST, "localhost");
        int colon = host.lastIndexOf(':');
        if (colon > host.lastIndexOf(']')) { // strip the port, keeping IPv6 brackets intact
            host = host.substring(0, colon);
        }
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.MOVED_PERMANENTLY);
        response.headers()
                .set(HttpHeaderNames.LOCATION, "https://" + host + ":" + tlsPort + request.uri())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
