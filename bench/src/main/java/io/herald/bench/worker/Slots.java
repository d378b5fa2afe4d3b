package io.herald.bench.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.SlotLayout;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.HdrHistogram.Histogram;

/**
 * A worker's share of a soak or chaos fleet: slots whose connections come and go. Churn closes a
 * random subscribed session at a set rate and opens the slot again as a new session (a presence
 * slot joins as a new member); a session the server drops is opened again after a jittered delay,
 * on the next node, as a client behind a load balancer would. Every session that was ever
 * subscribed is kept with what it received, for the delivery check at the end. Everything runs on
 * the worker's one event loop.
 */
final class Slots {
    /** Parameters of the "slots" command. */
    record Spec(List<URI> urls, String localAddress, int first, int count, SlotLayout layout, String key, String secret,
                int concurrency, long timeoutMillis, long reconnectDelayMillis) {}

    private static final long CHURN_TICK_MILLIS = 100;

    final FrameScanner scanner = new FrameScanner();
    long unparsed;

    private final EventLoop loop;
    private final boolean epoll;
    private final Spec spec;
    private final Slot[] slots;
    private final int[] publicSlots;
    private final int[] presenceSlots;
    private final Mac mac;
    private final Random random;
    private final List<Session> sessions = new ArrayList<>();
    private final ArrayDeque<Slot> toOpen = new ArrayDeque<>();
    private final PublishTable log = new PublishTable();
    private final Histogram latency = WorkerState.newHistogram();
    private final Map<String, Integer> failureReasons = new LinkedHashMap<>();
    private final Map<String, Integer> closeReasons = new LinkedHashMap<>();
    private int inFlight;
    private boolean stopped;

    private final CompletableFuture<ObjectNode> ready = new CompletableFuture<>();
    private final long startNanos = System.nanoTime();
    private int initialPending;
    private int initialSubscribed;

    private double churnRate;
    private double presenceChurnRate;
    private double churnCredit;
    private double presenceCredit;
    private ScheduledFuture<?> churnTask;

    private long delivered;
    private long duplicates;
    private long churnCloses;
    private long reconnects;
    private long unexpectedCloses;
    private long connectFailures;
    private long pusherErrors;
    private String lastPusherError;

    Slots(EventLoop loop, boolean epoll, Spec spec) {
        this.loop = loop;
        this.epoll = epoll;
        this.spec = spec;
        this.random = new Random(spec.first() * 31L + 7);
        this.slots = new Slot[spec.count()];
        List<Integer> pub = new ArrayList<>();
        List<Integer> pres = new ArrayList<>();
        SlotLayout layout = spec.layout();
        for (int i = 0; i < spec.count(); i++) {
            int g = spec.first() + i;
            int ch = layout.channelIndex(g);
            slots[i] = new Slot(g, layout.isPresence(g), ch, layout.channelName(ch));
            (slots[i].presence ? pres : pub).add(i);
        }
        this.publicSlots = pub.stream().mapToInt(Integer::intValue).toArray();
        this.presenceSlots = pres.stream().mapToInt(Integer::intValue).toArray();
        try {
            this.mac = Mac.getInstance("HmacSHA256");
            this.mac.init(new SecretKeySpec(spec.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ opening

    /** Opens every slot once (on the loop); completes when each first session is subscribed or failed, or at the timeout. */
    CompletableFuture<ObjectNode> start() {
        loop.execute(() -> {
            initialPending = slots.length;
            loop.schedule(this::finishStart, spec.timeoutMillis(), TimeUnit.MILLISECONDS);
            if (slots.length == 0) {
                finishStart();
            }
            for (Slot slot : slots) {
                slot.queued = true;
                toOpen.add(slot);
            }
            launchMore();
        });
        return ready;
    }

    private void finishStart() {
        if (ready.isDone()) {
            return;
        }
        ObjectNode r = Json.object();
        r.put("type", "ready");
        r.put("requested", slots.length);
        r.put("subscribed", initialSubscribed);
        r.put("failed", slots.length - initialSubscribed);
        r.put("elapsed_ms", Json.round3((System.nanoTime() - startNanos) / 1e6));
        r.put("presence_slots", presenceSlots.length);
        r.set("failure_reasons", reasons(failureReasons));
        ready.complete(r);
    }

    private void launchMore() {
        while (!stopped && inFlight < spec.concurrency() && !toOpen.isEmpty()) {
            Slot slot = toOpen.poll();
            slot.queued = false;
            open(slot);
        }
    }

    private void open(Slot slot) {
        int gen = ++slot.gen;
        int node = Math.floorMod(slot.index + gen, spec.urls().size());
        Session session = new Session(slot, gen, node, slot.presence ? slot.userId(gen) : null);
        session.initial = gen == 0;
        slot.current = session;
        inFlight++;
        URI uri = spec.urls().get(node);
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .version(WebSocketVersion.V13)
                .allowExtensions(false)
                .maxFramePayloadLength(1 << 20)
                .handshakeTimeoutMillis(30_000)
                .dropPongFrames(true)
                .handleCloseFrames(false)
                .build();
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                new HttpClientCodec(),
                                new HttpObjectAggregator(65536),
                                new WebSocketClientProtocolHandler(config),
                                new WebSocketFrameAggregator(1 << 20),
                                new SessionHandler(Slots.this, session));
                    }
                });
        int port = uri.getPort() > 0 ? uri.getPort() : 80;
        ChannelFuture f = bootstrap.connect(new InetSocketAddress(uri.getHost(), port), new InetSocketAddress(spec.localAddress(), 0));
        session.channel = f.channel();
        f.addListener(future -> {
            if (!future.isSuccess()) {
                onEnded(session, "connect: " + future.cause().getMessage());
            }
        });
    }

    /** The pusher:subscribe frame of a session; presence subscriptions are signed as an auth endpoint would sign them. */
    String subscribeFrame(Session session, String socketId) {
        String channel = session.slot.channelName;
        if (session.userId == null) {
            return "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":" + Json.quote(channel) + "}}";
        }
        String channelData = "{\"user_id\":" + Json.quote(session.userId) + ",\"user_info\":{}}";
        String signature = HexFormat.of().formatHex(mac.doFinal((socketId + ":" + channel + ":" + channelData).getBytes(StandardCharsets.UTF_8)));
        return "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":" + Json.quote(channel) + ",\"auth\":"
                + Json.quote(spec.key() + ":" + signature) + ",\"channel_data\":" + Json.quote(channelData) + "}}";
    }

    // ------------------------------------------------------------------ session events

    void onSubscribed(Session session) {
        if (session.state == Session.State.CLOSED || session.subscribedAt != 0) {
            return;
        }
        session.state = Session.State.SUBSCRIBED;
        session.subscribedAt = System.nanoTime();
        sessions.add(session);
        if (session.initial) {
            initialSubscribed++;
        }
        settle(session);
    }

    /** The session is over without us closing it: a failure before subscribing, or a drop after. */
    void onEnded(Session session, String reason) {
        if (session.state == Session.State.CLOSED) {
            return;
        }
        boolean wasSubscribed = session.state == Session.State.SUBSCRIBED;
        session.state = Session.State.CLOSED;
        session.closedAt = Math.min(session.closedAt, System.nanoTime());
        if (session.channel != null) {
            session.channel.close();
        }
        if (wasSubscribed) {
            unexpectedCloses++;
            count(closeReasons, reason);
            session.received.trim();
        } else {
            connectFailures++;
            count(failureReasons, reason);
        }
        settle(session);
        if (session.slot.current == session && !stopped) {
            reconnects++;
            Slot slot = session.slot;
            slot.queued = true;
            long delay = Math.round(spec.reconnectDelayMillis() * (0.5 + random.nextDouble()));
            loop.schedule(() -> {
                if (!stopped) {
                    toOpen.add(slot);
                    launchMore();
                }
            }, delay, TimeUnit.MILLISECONDS);
        }
    }

    void onPusherError(Session session, String data) {
        pusherErrors++;
        lastPusherError = data;
        if (session.state != Session.State.SUBSCRIBED) {
            onEnded(session, "pusher:error " + Json.abbreviate(data, 120));
        }
    }

    void onEvent(Session session, long seq, long sentNanos) {
        if (seq < 0) {
            return; // warm-up
        }
        if (seq > Integer.MAX_VALUE) {
            unparsed++;
            return;
        }
        if (session.receive((int) seq)) {
            delivered++;
            long micros = (System.nanoTime() - sentNanos) / 1000;
            latency.recordValue(Math.max(0, Math.min(micros, latency.getHighestTrackableValue())));
        } else {
            duplicates++;
        }
    }

    private void settle(Session session) {
        if (!session.opening) {
            return;
        }
        session.opening = false;
        inFlight--;
        if (session.initial && --initialPending == 0) {
            finishStart();
        }
        launchMore();
    }

    // ------------------------------------------------------------------ churn

    /** Sets the churn rates (sessions closed and opened again per second); 0 and 0 stop it. On the loop. */
    void churn(double perSecond, double presencePerSecond) {
        churnRate = Math.max(0, perSecond);
        presenceChurnRate = Math.max(0, presencePerSecond);
        churnCredit = 0;
        presenceCredit = 0;
        if (churnTask == null && (churnRate > 0 || presenceChurnRate > 0)) {
            churnTask = loop.scheduleAtFixedRate(this::churnTick, CHURN_TICK_MILLIS, CHURN_TICK_MILLIS, TimeUnit.MILLISECONDS);
        } else if (churnTask != null && churnRate == 0 && presenceChurnRate == 0) {
            churnTask.cancel(false);
            churnTask = null;
        }
    }

    private void churnTick() {
        if (stopped) {
            return;
        }
        churnCredit += churnRate * CHURN_TICK_MILLIS / 1000.0;
        presenceCredit += presenceChurnRate * CHURN_TICK_MILLIS / 1000.0;
        while (churnCredit >= 1) {
            churnCredit--;
            churnOne(publicSlots);
        }
        while (presenceCredit >= 1) {
            presenceCredit--;
            churnOne(presenceSlots);
        }
    }

    /** Closes a random subscribed session among {@code candidates} and opens its slot again at once. */
    private void churnOne(int[] candidates) {
        if (candidates.length == 0) {
            return;
        }
        for (int attempt = 0; attempt < 20; attempt++) {
            Slot slot = slots[candidates[random.nextInt(candidates.length)]];
            Session s = slot.current;
            if (s != null && s.state == Session.State.SUBSCRIBED && !slot.queued) {
                s.closedByUs = true;
                s.closedAt = System.nanoTime();
                s.state = Session.State.CLOSED;
                s.received.trim();
                churnCloses++;
                s.channel.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
                slot.queued = true;
                toOpen.add(slot);
                launchMore();
                return;
            }
        }
    }

    // ------------------------------------------------------------------ reports

    ObjectNode stats() {
        int open = 0;
        int subscribed = 0;
        for (Slot slot : slots) {
            Session s = slot.current;
            if (s != null && s.channel != null && s.channel.isActive()) {
                open++;
            }
            if (s != null && s.state == Session.State.SUBSCRIBED) {
                subscribed++;
            }
        }
        ObjectNode r = Json.object();
        r.put("type", "slot_stats");
        r.put("slots", slots.length);
        r.put("open", open);
        r.put("subscribed", subscribed);
        r.put("sessions", sessions.size());
        r.put("delivered", delivered);
        r.put("duplicates", duplicates);
        r.put("churn_closes", churnCloses);
        r.put("reconnects", reconnects);
        r.put("unexpected_closes", unexpectedCloses);
        r.put("connect_failures", connectFailures);
        r.put("pusher_errors", pusherErrors);
        if (lastPusherError != null) {
            r.put("last_pusher_error", lastPusherError);
        }
        r.put("unparsed", unparsed);
        r.set("failure_reasons", reasons(failureReasons));
        r.set("close_reasons", reasons(closeReasons));
        return r;
    }

    /**
     * The presence members as this worker knows them: per channel the ids of subscribed sessions;
     * {@code uncertain}: ids whose subscribe was sent but not yet answered (the server may or may
     * not list them); {@code pending}: presence slots without a subscribed session.
     */
    ObjectNode presence() {
        Map<String, TreeSet<String>> members = new TreeMap<>();
        List<String> uncertain = new ArrayList<>();
        int pending = 0;
        for (int i : presenceSlots) {
            Slot slot = slots[i];
            Session s = slot.current;
            members.computeIfAbsent(slot.channelName, c -> new TreeSet<>());
            if (s != null && s.state == Session.State.SUBSCRIBED) {
                members.get(slot.channelName).add(s.userId);
            } else {
                pending++;
                if (s != null && s.state == Session.State.SUBSCRIBING) {
                    uncertain.add(s.userId);
                }
            }
        }
        ObjectNode r = Json.object();
        r.put("type", "presence");
        ObjectNode m = r.putObject("members");
        members.forEach((ch, ids) -> {
            ArrayNode a = m.putArray(ch);
            ids.forEach(a::add);
        });
        ArrayNode u = r.putArray("uncertain");
        uncertain.forEach(u::add);
        r.put("pending", pending);
        return r;
    }

    void appendLog(JsonNode cmd) {
        if (cmd.path("reset").asBoolean(false)) {
            log.clear();
        }
        log.append(cmd);
    }

    /** The delivery check over every session ever subscribed (see {@link DeliveryCheck}). */
    ObjectNode verify(JsonNode cmd) {
        List<DeliveryCheck.Dead> dead = new ArrayList<>();
        for (JsonNode d : cmd.path("dead")) {
            dead.add(new DeliveryCheck.Dead(d.get(0).asInt(), d.get(1).asLong(), d.get(2).asLong()));
        }
        long grace = cmd.path("grace_ms").asLong(2000) * 1_000_000L;
        long end = cmd.path("end_nanos").asLong(System.nanoTime());
        DeliveryCheck.Result result = DeliveryCheck.run(log, sessions, dead, grace, end, cmd.path("phases").asInt(1));
        ObjectNode r = Json.object();
        r.put("type", "verified");
        r.put("sessions", result.sessions());
        putArray(r, "expected", result.expected());
        putArray(r, "delivered", result.delivered());
        putArray(r, "expected_not_promised", result.expectedNotPromised());
        putArray(r, "delivered_not_promised", result.deliveredNotPromised());
        putArray(r, "duplicates", result.duplicates());
        r.put("duplicates_of_unknown_publishes", result.duplicatesOfUnknownPublishes());
        ArrayNode ex = r.putArray("lost_examples");
        result.lostExamples().forEach(ex::add);
        r.put("histogram", WorkerState.encode(latency));
        return r;
    }

    /** Stops churn and reconnects and closes every connection; completes when all are closed. */
    CompletableFuture<Integer> closeAll() {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        loop.execute(() -> {
            stopped = true;
            churn(0, 0);
            toOpen.clear();
            List<io.netty.channel.Channel> open = new ArrayList<>();
            for (Slot slot : slots) {
                Session s = slot.current;
                if (s != null && s.channel != null && s.channel.isOpen()) {
                    if (s.state != Session.State.CLOSED) {
                        s.closedByUs = true;
                        s.closedAt = System.nanoTime();
                        s.state = Session.State.CLOSED;
                    }
                    open.add(s.channel);
                }
            }
            if (open.isEmpty()) {
                done.complete(0);
                return;
            }
            int[] remaining = {open.size()};
            for (io.netty.channel.Channel ch : open) {
                ch.close().addListener(f -> {
                    if (--remaining[0] == 0) {
                        done.complete(open.size());
                    }
                });
            }
        });
        return done;
    }

    private static void putArray(ObjectNode r, String name, long[] values) {
        ArrayNode a = r.putArray(name);
        for (long v : values) {
            a.add(v);
        }
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
