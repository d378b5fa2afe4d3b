package io.herald.transport;

import io.herald.api.ApiRequest;
import io.herald.api.ApiResponse;
import io.herald.api.HttpApi;
import io.herald.app.AppManager;
import io.herald.channel.ChannelRegistry;
import io.herald.channel.ConnectionQuota;
import io.herald.config.HeraldConfig;
import io.herald.events.ServerEvents;
import io.herald.protocol.PusherProtocol;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLException;
import java.util.function.BooleanSupplier;

/** The one listening port: WebSocket connections and the HTTP API share it. */
public final class HeraldServer {
    /** A client whose unsent data passes this is too slow to read and is closed with 4100. */
    private static final int OUTBOUND_HIGH_WATER_BYTES = 1024 * 1024;
    private static final int OUTBOUND_LOW_WATER_BYTES = 512 * 1024;

    private final HeraldConfig config;
    private final EventLoops loops;
    private final HttpRequestHandler requests;
    private final HttpApi api;
    private final ActivityMonitor activity;
    private final CorsHandler cors;
    private final SslContext tls; // null without ssl.enabled
    private Channel listener;
    private Channel redirectListener; // plain HTTP port redirecting to HTTPS (ssl.redirect_http)

    public HeraldServer(HeraldConfig config, EventLoops loops, AppManager apps, ChannelRegistry registry,
                        ConnectionQuota quota, PusherProtocol protocol, HttpApi api, BooleanSupplier draining,
                        ServerEvents events) {
        this.config = config;
        this.loops = loops;
        this.api = api;
        this.requests = new HttpRequestHandler(apps, registry, quota, protocol, api,
                config.websocketMaxPayloadBytes(), draining, events);
        this.activity = new ActivityMonitor(config.activityTimeoutSeconds(), config.pongTimeoutSeconds(),
                config.userAuthenticationTimeoutSeconds());
        activity.start(registry);
        this.cors = new CorsHandler(config.cors());
        this.tls = config.ssl().enabled() ? tlsContext(config.ssl()) : null;
    }

    private static SslContext tlsContext(HeraldConfig.SslConfig ssl) {
        try {
            return SslContextBuilder.forServer(new File(ssl.certPath()), new File(ssl.keyPath())).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("ssl: cannot load certificate " + ssl.certPath() + " and key " + ssl.keyPath()
                    + " (PEM certificate chain and PKCS#8 PEM key expected): " + e.getMessage(), e);
        }
    }

    /**
     * Binds the port; returns the port actually bound. Without {@code accepting}, connections wait
     * in the kernel's backlog until {@link #startAccepting()}: the port is taken (a second node on
     * it fails at once) while the node is not ready to serve yet.
     */
    public int bind(boolean accepting) throws InterruptedException {
        int maxBody = config.httpMaxBodyBytes();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.acceptor(), loops.workers())
                .channel(loops.serverChannel())
                .option(ChannelOption.AUTO_READ, accepting)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                // No TCP_NODELAY option: Netty's socket config sets it on every accepted socket
                // already, and setting it again cost one more system call per connection.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(OUTBOUND_LOW_WATER_BYTES, OUTBOUND_HIGH_WATER_BYTES))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (tls != null) {
                            channel.pipeline().addLast("tls", tls.newHandler(channel.alloc()));
                        }
                        HttpCodec codec = new HttpCodec();
                        HttpConnectionGuard guard = newGuard(codec);
                        // The encoder nearest the socket: the handshaker puts the WebSocket encoder next to
                        // it, and the WebSocket decoder (in the HTTP decoder's place) writes its close
                        // frames for protocol violations from there, so they must pass an encoder.
                        channel.pipeline()
                                .addLast("http-encoder", codec.encoder())
                                .addLast("http-bytes", guard.bytesIn())
                                .addLast("http-decoder", codec.decoder())
                                .addLast("http-guard", guard)
                                .addLast("http-body", new JsonHttpObjectAggregator(maxBody, api))
                                .addLast("cors", cors)
                                .addLast("router", requests);
                    }
                });
        listener = listen(bootstrap, config.host(), config.port());
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        if (tls != null && config.ssl().redirectHttp()) {
            redirectListener = bindRedirect(port);
        }
        return port;
    }

    /** Binds one listening socket; a port in use (or any refusal) becomes one line naming the address. */
    private static Channel listen(ServerBootstrap bootstrap, String host, int port) throws InterruptedException {
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(host, port)).await();
        if (!bound.isSuccess()) {
            throw new ListenException(host + ":" + port, bound.cause());
        }
        return bound.channel();
    }

    /** A plain HTTP port whose every answer is a redirect to the same path on the TLS port. */
    private Channel bindRedirect(int tlsPort) throws InterruptedException {
        return listen(new ServerBootstrap()
                .group(loops.acceptor(), loops.workers())
                .channel(loops.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        HttpCodec codec = new HttpCodec();
                        HttpConnectionGuard guard = newGuard(codec);
                        channel.pipeline()
                                .addLast(codec.encoder())
                                .addLast(guard.bytesIn())
                                .addLast(codec.decoder())
                                .addLast(guard)
                                .addLast(new HttpObjectAggregator(8192))
                                .addLast(new HttpsRedirect(tlsPort));
                    }
                }), config.host(), config.ssl().httpPort());
    }

    private HttpConnectionGuard newGuard(HttpCodec codec) {
        return new HttpConnectionGuard(codec, config.httpRequestTimeoutSeconds(), config.httpIdleTimeoutSeconds());
    }

    /** Stops accepting new connections; open ones are left to the caller to drain. */
    /** Accepts the connections that waited since {@link #bind(boolean) bind(false)}, and any after them. */
    public void startAccepting() {
        listener.config().setAutoRead(true);
    }

    public void stopAccepting() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        if (redirectListener != null) {
            redirectListener.close().syncUninterruptibly();
        }
    }

    /**
     * Answers an oversized HTTP body with the API's JSON 413 instead of an empty page, after the
     * checks that need no body (app, signature, endpoint, method): the documented order holds for
     * a request too large to read.
     */
    private static final class JsonHttpObjectAggregator extends HttpObjectAggregator {
        private final int maxBody;
        private final HttpApi api;

        JsonHttpObjectAggregator(int maxBody, HttpApi api) {
            super(maxBody);
            this.maxBody = maxBody;
            this.api = api;
        }

        /**
         * While the body is still arriving we answer but keep the connection: the aggregator discards
         * the rest of the body, and closing now would reset the socket under the client's upload so it
         * never reads the answer.
         */
        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            ApiResponse tooLarge = ApiResponse.error(413, "Request body is larger than " + maxBody / 1024 + " KB");
            boolean bodyStillArriving = !(oversized instanceof FullHttpMessage);
            if (!(oversized instanceof HttpRequest request)) {
                HttpResponses.send(ctx, tooLarge, bodyStillArriving);
                return;
            }
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            ApiRequest headOnly = new ApiRequest(request.method().name(), uri.path(), uri.parameters(), new byte[0],
                    ctx.alloc());
            api.withoutOversizedBody(headOnly, tooLarge).whenComplete((answer, error) ->
                    HttpResponses.send(ctx, error == null ? answer : tooLarge, bodyStillArriving));
        }
    }
}
