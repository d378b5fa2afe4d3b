package io.herald.transport;

import io.herald.api.ApiRequest;
import io.herald.api.ApiResponse;
import io.herald.api.HttpApi;
import io.herald.app.App;
import io.herald.app.AppManager;
import io.herald.channel.ChannelRegistry;
import io.herald.channel.Connection;
import io.herald.channel.ConnectionQuota;
import io.herald.events.ServerEvents;
import io.herald.wire.ErrorCodes;
import io.herald.wire.Frames;
import io.herald.protocol.PusherProtocol;
import io.herald.ratelimit.HttpRateLimits;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First stop of every HTTP request: WebSocket upgrades to {@code /app/{key}} become Pusher
 * connections, everything else goes to the HTTP API. With {@code rate_limiter.enabled}, upgrades
 * and {@code /apps/...} requests are counted per client IP first and answered 429 over the limit.
 * Shared by all channels (it holds no state).
 */
@ChannelHandler.Sharable
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpRequestHandler.class);
    /** Name Netty's handshaker gives the WebSocket frame encoder it adds. */
    private static final String WEBSOCKET_ENCODER = "wsencoder";
    private static final int LOWEST_PROTOCOL = 5;

    private final AppManager apps;
    private final ChannelRegistry registry;
    private final ConnectionQuota quota;
    private final PusherProtocol protocol;
    private final HttpApi api;
    private final WebSocketDecoderConfig decoderConfig;
    private final int maxMessageBytes;
    private final int readLimitBytes;
    private final BooleanSupplier draining;
    private final HttpRateLimits limits;
    private final ServerEvents events;

    HttpRequestHandler(AppManager apps, ChannelRegistry registry, ConnectionQuota quota, PusherProtocol protocol,
                       HttpApi api, int maxMessageBytes, BooleanSupplier draining, ServerEvents events) {
        this.events = events;
        this.apps = apps;
        this.registry = registry;
        this.quota = quota;
        this.protocol = protocol;
        this.api = api;
        this.maxMessageBytes = maxMessageBytes;
        this.readLimitBytes = readLimit(maxMessageBytes);
        this.draining = draining;
        this.limits = api.requestLimits();
        // The decoder reports a protocol violation to WebSocketFrameHandler, which sends the close
        // frame: there is no WebSocket encoder for the decoder's own close frame to pass.
        this.decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(readLimitBytes)
                .closeOnProtocolViolation(false)
                .build();
    }

    /**
     * How much of one client message is read at most: twice {@code websocket_max_payload_kb}, and
     * at least 256 KB. A message over {@code websocket_max_payload_kb} but within this is read and
     * answered with {@code pusher:error} (the connection stays), as a client event over its app's
     * {@code max_event_payload_in_kb} is: with the defaults (64 and 100 KB) a client event of 80 KB
     * gets an error, not a 1009 close. Only a message past this is not read, and closes with 1009.
     */
    static int readLimit(int maxMessageBytes) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(2L * maxMessageBytes, 256 * 1024));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            HttpResponses.send(ctx, ApiResponse.error(400, "Malformed HTTP request"), false);
            return;
        }
        RequestTarget target;
        try {
            target = RequestTarget.parse(request.uri());
        } catch (IllegalArgumentException e) {
            // A malformed percent-escape: answered, not a closed socket without a word.
            HttpResponses.send(ctx, ApiResponse.error(400, "Malformed request URI: " + e.getMessage()), false);
            return;
        }
        String path = target.path();
        if (isWebSocketUpgrade(request)) {
            String problem = handshakeProblem(request);
            if (problem != null) {
                refuseMalformedUpgrade(ctx, problem);
            } else if (!path.startsWith("/app/") || path.length() == 5 || path.indexOf('/', 5) >= 0) {
                HttpResponses.send(ctx, ApiResponse.error(404, "No WebSocket endpoint at " + path
                        + "; connect to /app/{app_key}"), false);
            } else if (draining.getAsBoolean()) {
                HttpResponses.send(ctx, ApiResponse.error(503, "Server is shutting down"), false);
            } else if (limits.enabled()) {
                upgradeWithinLimit(ctx, request, path.substring(5), target.params());
            } else {
                upgrade(ctx, request, path.substring(5), target.params());
            }
            return;
        }
        ApiRequest apiRequest = new ApiRequest(request.method().name(), path, target.params(),
                ByteBufUtil.getBytes(request.content()), ctx.alloc());
        if (limits.enabled() && path.startsWith("/apps/")) {
            String ip = clientIp(ctx, request);
            limits.apiRequest(ip).whenComplete((decision, error) -> {
                if (error == null && !decision.allowed()) {
                    tooManyRequests(ctx, decision.retryAfterSeconds(), "Too many requests: at most "
                            + limits.describeApiLimit() + " from " + ip + "; retry in " + decision.retryAfterSeconds() + " s",
                            keepAlive);
                } else {
                    handleApi(ctx, apiRequest, keepAlive);
                }
            });
            return;
        }
        handleApi(ctx, apiRequest, keepAlive);
    }

    private void handleApi(ChannelHandlerContext ctx, ApiRequest apiRequest, boolean keepAlive) {
        api.handle(apiRequest).whenComplete((response, error) -> {
            if (error != null) {
                log.error("HTTP API {} {} failed", apiRequest.method(), apiRequest.path(), error);
            }
            ApiResponse answer = error == null ? response : ApiResponse.error(500, "Internal error");
            if (answer.status() >= 400) {
                // The path and the answer only: the query holds the signature, the body the payload.
                log.debug("API {} {} from {} refused with {}: {}", apiRequest.method(), apiRequest.path(),
                        ctx.channel().remoteAddress(), answer.status(), answer.body());
            }
            if (answer.status() == 429) {
                // The app limits are per second.
                HttpResponses.send(ctx, answer, keepAlive, 1);
            } else {
                HttpResponses.send(ctx, answer, keepAlive);
            }
        });
    }

    private String clientIp(ChannelHandlerContext ctx, FullHttpRequest request) {
        return limits.clientIp(ctx.channel().remoteAddress(), request.headers().get("X-Forwarded-For"));
    }

    private String websocketClientIp(ChannelHandlerContext ctx, FullHttpRequest request) {
        return limits.websocketClientIp(ctx.channel().remoteAddress(), request.headers().get("X-Forwarded-For"));
    }

    /** Counts the upgrade against the client IP's allowance; over it, HTTP 429 instead of the upgrade. */
    private void upgradeWithinLimit(ChannelHandlerContext ctx, FullHttpRequest request, String appKey,
                                    Map<String, List<String>> params) {
        String ip = websocketClientIp(ctx, request);
        request.retain();
        limits.websocketUpgrade(ip).whenComplete((decision, error) -> {
            Runnable next = () -> {
                try {
                    if (error == null && !decision.allowed()) {
                        tooManyRequests(ctx, decision.retryAfterSeconds(), "Too many requests: at most "
                                + limits.describeWebsocketLimit() + " from " + ip + "; retry in "
                                + decision.retryAfterSeconds() + " s", false);
                    } else {
                        upgrade(ctx, request, appKey, params);
                    }
                } finally {
                    request.release();
                }
            };
            if (ctx.executor().inEventLoop()) {
                next.run();
            } else {
                try {
                    ctx.executor().execute(next);
                } catch (RejectedExecutionException e) {
                    request.release(); // shutting down
                }
            }
        });
    }

    /** 429 with {@code Retry-After}, for the per-IP limits. */
    private static void tooManyRequests(ChannelHandlerContext ctx, long retryAfterSeconds, String message, boolean keepAlive) {
        log.debug("request from {} refused with 429: {}", ctx.channel().remoteAddress(), message);
        HttpResponses.send(ctx, ApiResponse.error(429, message), keepAlive, Math.max(1, retryAfterSeconds));
    }

    private static boolean isWebSocketUpgrade(FullHttpRequest request) {
        return request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    /**
     * What makes this upgrade request no RFC 6455 handshake, or null. Checked here because Netty's
     * handshaker throws on these, on the event loop, leaving the socket open with no answer; and
     * without a version header it would fall back to the pre-standard handshake, which needs no key.
     */
    private static String handshakeProblem(FullHttpRequest request) {
        if (!HttpMethod.GET.equals(request.method())) {
            return "the method must be GET, not " + request.method();
        }
        if (!request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            return "the Connection header must include Upgrade";
        }
        String key = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (key == null || key.isBlank()) {
            return "the Sec-WebSocket-Key header is missing";
        }
        if (!request.headers().contains(HttpHeaderNames.SEC_WEBSOCKET_VERSION)) {
            return "the Sec-WebSocket-Version header is missing (13 expected)";
        }
        return null;
    }

    /** 400 and close. Clients, scanners and health checks send these: a debug line, not a warning. */
    private static void refuseMalformedUpgrade(ChannelHandlerContext ctx, String problem) {
        log.debug("refused WebSocket upgrade from {}: {}", ctx.channel().remoteAddress(), problem);
        HttpResponses.send(ctx, ApiResponse.error(400, "Invalid WebSocket upgrade: " + problem), false);
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, String appKey, Map<String, List<String>> params) {
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
                "ws://" + request.headers().get(HttpHeaderNames.HOST) + request.uri(), null, decoderConfig)
                .newHandshaker(request);
        if (handshaker == null) {
            // 426 with the version we speak; nothing else can follow on this socket.
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel())
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        Channel channel = ctx.channel();
        WebSocketFrameHandler frames = new WebSocketFrameHandler(protocol, quota, maxMessageBytes, readLimitBytes);
        request.retain();
        apps.findByKey(appKey).whenComplete((app, lookupError) -> {
            // A cached app answers at once, on this loop: the upgrade goes on here, before the
            // request has left the pipeline, so reading never has to be paused for it.
            Runnable answer = () -> answerUpgrade(ctx, handshaker, request, frames, app, lookupError, appKey, params, origin);
            if (channel.eventLoop().inEventLoop()) {
                answer.run();
            } else {
                channel.eventLoop().execute(answer);
            }
        });
    }

    /**
     * Writes the 101, then at once the first frame (connection_established or the refusal), and
     * flushes once: {@link HttpConnectionGuard} holds the handshaker's own flush of the 101, so
     * both leave in one system call, and the connection is open before its bytes are sent.
     */
    private void answerUpgrade(ChannelHandlerContext ctx, WebSocketServerHandshaker handshaker, FullHttpRequest request,
                               WebSocketFrameHandler frames, Optional<App> app, Throwable lookupError, String appKey,
                               Map<String, List<String>> params, String origin) {
        Channel channel = ctx.channel();
        if (ctx.isRemoved()) {
            request.release(); // the client left while its app was being looked up
            return;
        }
        try {
            // Our WebSocket handler first: the handshake hands any bytes sent behind the request
            // to the WebSocket decoder at once, and their frames must find it.
            ctx.pipeline().replace(this, "ws-frames", frames);
            handshaker.handshake(channel, request).addListener(done -> {
                if (!done.isSuccess()) {
                    channel.close();
                }
            });
            // Every frame we send is encoded already (io.herald.wire.Frames), and the 101 has passed:
            // the handshaker's frame encoder would only be one more handler per connection to keep.
            channel.pipeline().remove(WEBSOCKET_ENCODER);
            accept(channel, frames, app, lookupError, appKey, params, origin);
        } catch (WebSocketHandshakeException e) {
            // Anything the checks before the upgrade did not catch: still a 400, not a task failure.
            refuseMalformedUpgrade(channel.pipeline().context(frames), e.getMessage());
        } finally {
            request.release();
            frames.upgradeAnswered();
            channel.flush();
        }
    }

    /** Runs right after the 101 is written: refuse with a Pusher error code, or open the connection. */
    private void accept(Channel channel, WebSocketFrameHandler frames, Optional<App> found, Throwable lookupError,
                        String appKey, Map<String, List<String>> params, String origin) {
        String appId = lookupError != null || found == null ? null : found.map(App::id).orElse(null);
        String protocolVersion = first(params, "protocol");
        if (protocolVersion != null && !isSupportedProtocol(protocolVersion)) {
            refuse(channel, appId, "unsupported_protocol", ErrorCodes.UNSUPPORTED_PROTOCOL,
                    "Unsupported protocol version '" + protocolVersion + "' (supported: 5 to 7)");
            return;
        }
        if (lookupError != null) {
            // The apps' database does not answer: 4100 tells the client to retry after a back-off.
            refuse(channel, null, "apps_unreadable", ErrorCodes.OVER_CAPACITY, "Apps cannot be read right now; try again later");
            return;
        }
        if (found.isEmpty()) {
            refuse(channel, null, "app_not_found", ErrorCodes.APP_NOT_FOUND, "App key " + appKey + " does not exist");
            return;
        }
        App app = found.get();
        if (!app.enabled()) {
            refuse(channel, appId, "app_disabled", ErrorCodes.APP_DISABLED, "App " + app.id() + " is disabled");
            return;
        }
        if (!originAllowed(app, origin)) {
            refuse(channel, appId, "origin_not_allowed", ErrorCodes.UNAUTHORIZED, "Origin " + origin + " is not allowed for this app");
            return;
        }
        if (quota.nodeFull()) {
            refuse(channel, ErrorCodes.OVER_CAPACITY, "This server is at its connection limit (max_connections "
                    + quota.nodeLimit() + "); try again later");
            return;
        }
        if (!quota.tryAcquire(app)) {
            refuse(channel, appId, "over_connection_quota", ErrorCodes.OVER_CONNECTION_QUOTA, "App " + app.id()
                    + " is at its connection limit (" + app.maxConnections() + ")");
            return;
        }
        frames.attach(new Connection(channel, app, newSocketId(), registry.loopFor(channel.eventLoop())));
    }

    private static boolean isSupportedProtocol(String version) {
        try {
            return Integer.parseInt(version) >= LOWEST_PROTOCOL;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean originAllowed(App app, String origin) {
        if (app.allowedOrigins().isEmpty() || app.allowedOrigins().contains("*")) {
            return true;
        }
        return origin != null && app.allowedOrigins().stream().anyMatch(origin::equalsIgnoreCase);
    }

    /** {@code reason}: the metrics' error_type (a fixed word, never the client's input). */
    private void refuse(Channel channel, String appId, String reason, int code, String message) {
        events.connectionRefused(appId, reason);
        refuse(channel, code, message);
    }

    private static void refuse(Channel channel, int code, String message) {
        log.debug("WebSocket connection from {} refused with {}: {}", channel.remoteAddress(), code, message);
        channel.write(Frames.error(channel.alloc(), code, message, null));
        channel.writeAndFlush(Frames.close(channel.alloc(), code, message)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Two random unsigned integers: unique across a cluster with overwhelming probability. */
    private static String newSocketId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return random.nextInt(1, Integer.MAX_VALUE) + "." + random.nextInt(1, Integer.MAX_VALUE);
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
