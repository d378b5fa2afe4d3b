package io.herald.transport;

import io.herald.config.HeraldConfig;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

/**
 * CORS for the HTTP API ({@code cors.*}): answers preflight requests and adds the allow headers to
 * responses for allowed origins. A WebSocket upgrade takes it out of that connection's pipeline,
 * so deliveries never pass through it.
 */
@ChannelHandler.Sharable
final class CorsHandler extends ChannelDuplexHandler {
    private static final AttributeKey<String> ALLOWED_ORIGIN = AttributeKey.valueOf("herald.cors.origin");
    private static final int PREFLIGHT_MAX_AGE_SECONDS = 86400;

    private final HeraldConfig.CorsConfig cors;
    private final String methods;
    private final String headers;

    CorsHandler(HeraldConfig.CorsConfig cors) {
        this.cors = cors;
        this.methods = String.join(", ", cors.methods());
        this.headers = String.join(", ", cors.allowedHeaders());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(msg);
            return;
        }
        String allowed = allowedOrigin(request.headers().get(HttpHeaderNames.ORIGIN));
        if (request.method().equals(HttpMethod.OPTIONS)) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            ReferenceCountUtil.release(request);
            DefaultFullHttpResponse preflight = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.NO_CONTENT);
            if (allowed != null) {
                addAllowHeaders(preflight.headers(), allowed);
                preflight.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, methods)
                        .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, headers)
                        .setInt(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, PREFLIGHT_MAX_AGE_SECONDS);
            }
            preflight.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            HttpUtil.setKeepAlive(preflight, keepAlive);
            ctx.writeAndFlush(preflight);
            return;
        }
        ctx.channel().attr(ALLOWED_ORIGIN).set(allowed);
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            String allowed = ctx.channel().attr(ALLOWED_ORIGIN).getAndSet(null);
            if (allowed != null) {
                addAllowHeaders(response.headers(), allowed);
            }
        }
        ctx.write(msg, promise);
    }

    /** The Access-Control-Allow-Origin value for this request's Origin, or null when not allowed. */
    private String allowedOrigin(String origin) {
        if (origin == null) {
            return null;
        }
        if (cors.origins().contains("*")) {
            return cors.credentials() ? origin : "*"; // browsers refuse "*" together with credentials
        }
        return cors.origins().stream().anyMatch(origin::equalsIgnoreCase) ? origin : null;
    }

    private void addAllowHeaders(HttpHeaders headers, String allowedOrigin) {
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allowedOrigin);
        if (!allowedOrigin.equals("*")) {
            headers.add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        }
        if (cors.credentials()) {
            headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
    }
}
