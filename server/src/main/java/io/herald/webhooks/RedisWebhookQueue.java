package io.herald.webhooks;

import io.herald.logs.EveryMinute;
import io.herald.config.HeraldConfig.RedisEndpoint;
import io.herald.redis.LettuceClients;
import io.herald.redis.RedisConnection;
import io.herald.redis.LuaScript;
import io.herald.wire.Secrets;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs in Redis ({@code queue.driver: redis} or {@code redis-cluster}), shared by every node,
 * durable and delivered at least once.
 *
 * <p>Each endpoint (webhook URL) has its own line: a stream with one consumer group that every
 * node reads as a consumer named by its node id, so a new job goes to exactly one node. A job a
 * node holds is a pending entry of that node; it is acknowledged and deleted when done, or, to be
 * tried again later, moved atomically into the line's delayed set (a sorted set by due time, in
 * Redis server time) from which the next read moves it back once due. A node renews the entries it
 * holds every third of the lease; entries idle for a whole lease (their node died) are claimed by
 * whichever node reads that line next (XAUTOCLAIM). Each line's keys share a hash tag made from
 * its URL, so on a Redis Cluster the lines spread over the masters; a set lists every line, so that
 * each node learns of the endpoints that other nodes queue jobs for.
 *
 * <p>A job is first kept in this process and written as soon as Redis answers; while Redis is
 * unreachable at most {@link #MAX_UNSAVED} jobs and {@link #MAX_UNSAVED_BYTES} bytes wait here
 * (then they are refused, counted and logged), and they are written when it is back.
 */
public final class RedisWebhookQueue implements WebhookQueue {
    private static final Logger log = LoggerFactory.getLogger(RedisWebhookQueue.class);
    static final int MAX_UNSAVED = 10_000;
    static final long MAX_UNSAVED_BYTES = 16L << 20;
    private static final int MAX_WRITES_IN_FLIGHT = 256;
    /** Commands Lettuce keeps while it reconnects; beyond them it refuses (and the jobs wait here, bounded). */
    private static final int MAX_QUEUED_COMMANDS = 4096;
    private static final String GROUP = "herald";
    /** How often a line is read without a local hint (jobs of other nodes, retries coming due). */
    private static final long POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How often the list of lines is read again. */
    private static final long ENDPOINTS_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Makes the line's group when the line is new. */
    private static final String ENSURE_GROUP = """
            if redis.call('EXISTS', KEYS[1]) == 0 then
              redis.call('XGROUP', 'CREATE', KEYS[1], 'herald', '0', 'MKSTREAM')
            end
            """;

    /**
     * Adds a job unless the line holds {@code ARGV[1]} jobs already; 1 when added. {@code KEYS[3]}
     * marks the job added for an hour, so that a write tried again after a timeout (it may have run
     * all the same) adds it only once.
     */
    private static final LuaScript ADD = new LuaScript(ENSURE_GROUP + """
            if redis.call('EXISTS', KEYS[3]) == 1 then
              return 1
            end
            if redis.call('XLEN', KEYS[1]) + redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[1]) then
              return 0
            end
            redis.call('XADD', KEYS[1], '*', 'job', ARGV[2])
            redis.call('SET', KEYS[3], '1', 'EX', 3600)
            return 1
            """);

    /**
     * Moves due delayed jobs into the stream, claims entries idle for {@code ARGV[3]} ms (0: none)
     * from cursor {@code ARGV[4]}, then reads new ones. Returns {next cursor, id, job, id, job, ...}.
     */
    private static final LuaScript TAKE = new LuaScript(ENSURE_GROUP + """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
            for _, job in ipairs(due) do
              redis.call('XADD', KEYS[1], '*', 'job', job)
              redis.call('ZREM', KEYS[2], job)
            end
            local out = {ARGV[4]}
            local count = tonumber(ARGV[2])
            if tonumber(ARGV[3]) > 0 then
              local claimed = redis.call('XAUTOCLAIM', KEYS[1], 'herald', ARGV[1], ARGV[3], ARGV[4], 'COUNT', count)
              out[1] = claimed[1]
              for _, entry in ipairs(claimed[2]) do
                if entry[2] then
                  out[#out + 1] = entry[1]
                  out[#out + 1] = entry[2][2]
                end
              end
            end
            local read = redis.call('XREADGROUP', 'GROUP', 'herald', ARGV[1], 'COUNT', count, 'STREAMS', KEYS[1], '>')
            if read then
              for _, entry in ipairs(read[1][2]) do
                out[#out + 1] = entry[1]
                out[#out + 1] = entry[2][2]
              end
            end
            return out
            """);

    /** Acknowledges and deletes an entry. */
    private static final LuaScript DONE = new LuaScript("""
            redis.call('XACK', KEYS[1], 'herald', ARGV[1])
            redis.call('XDEL', KEYS[1], ARGV[1])
            return 1
            """);

    /** Replaces an entry by a delayed job due in {@code ARGV[2]} ms. */
    private static final LuaScript RETRY = new LuaScript("""
            redis.call('XACK', KEYS[1], 'herald', ARGV[1])
            redis.call('XDEL', KEYS[1], ARGV[1])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
            return 1
            """);

    /** Restarts the idle time of the given entries that consumer {@code ARGV[1]} still holds (never another's). */
    private static final LuaScript RENEW = new LuaScript("""
            local renewed = 0
            for i = 2, #ARGV do
              local pending = redis.call('XPENDING', KEYS[1], 'herald', ARGV[i], ARGV[i], 1)
              if pending[1] and pending[1][2] == ARGV[1] then
                redis.call('XCLAIM', KEYS[1], 'herald', ARGV[1], 0, ARGV[i], 'JUSTID')
                renewed = renewed + 1
              end
            end
            return renewed
            """);

    /** One endpoint's keys, and what this node knows of them. */
    private static final class Line {
        final String tag;
        final String[] keys; // {stream, delayed}
        boolean maybeJobs = true;
        long lastReadNanos;
        long lastClaimNanos;
        String claimCursor = "0-0";
        boolean listed; // its URL is in the set of lines

        Line(String tag) {
            this.tag = tag;
            this.keys = new String[] {tag + ":jobs", tag + ":delayed"};
        }
    }

    /** Where a leased job sits in Redis. */
    private record Receipt(Line line, String entryId) {}

    private final String prefix;
    private final String endpointsKey;
    private final String nodeId;
    private final int maxJobsPerLine;
    private final long leaseMillis;
    private final WebhookStats stats;
    private final RedisConnection<String, String> connection;
    private final RedisClusterAsyncCommands<String, String> redis;
    /** url -> line; guarded by {@code this}. */
    private final Map<String, Line> lines = new HashMap<>();
    private long endpointsReadNanos;
    private boolean readingEndpoints;
    /** Jobs not yet written to Redis, oldest first; guarded by {@code this}. */
    private final ArrayDeque<WebhookJob> unsaved = new ArrayDeque<>();
    private long unsavedBytes;
    private int writesInFlight;
    /** Acknowledgements, retries and renewals sent and not yet answered; guarded by {@code this}. */
    private int updatesInFlight;
    private final EveryMinute warnings = new EveryMinute();
    private volatile Consumer<String> wakeUp = url -> { };

    private RedisWebhookQueue(String nodeId, String prefix, int maxJobsPerLine, long leaseMillis, WebhookStats stats,
                              RedisConnection<String, String> connection) {
        this.nodeId = nodeId;
        this.prefix = prefix;
        this.endpointsKey = prefix + "endpoints";
        this.maxJobsPerLine = maxJobsPerLine;
        this.leaseMillis = leaseMillis;
        this.stats = stats;
        this.connection = connection;
        this.redis = connection.commands();
    }

    /** A single Redis or a Redis Cluster ({@code queue.driver} redis or redis-cluster). */
    public static RedisWebhookQueue open(LettuceClients lettuce, RedisEndpoint endpoint, String prefix, String nodeId,
                                         int maxJobsPerLine, long leaseMillis, int commandTimeoutMillis, WebhookStats stats) {
        RedisConnection<String, String> connection = RedisConnection.open(lettuce, endpoint, StringCodec.UTF8,
                new RedisConnection.Options(Duration.ofMillis(commandTimeoutMillis), MAX_QUEUED_COMMANDS, false), "queue.driver");
        return new RedisWebhookQueue(nodeId, prefix, maxJobsPerLine, leaseMillis, stats, connection);
    }

    /** The line of {@code url}: its keys share a hash tag made from the URL. Guarded by {@code this}. */
    private Line line(String url) {
        return lines.computeIfAbsent(url, u -> new Line(prefix + "{" + digest(u) + "}"));
    }

    private static String digest(String url) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-1").digest(url.getBytes(StandardCharsets.UTF_8));
            return "wh-" + HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JVM", e);
        }
    }

    // --- adding ---

    @Override
    public boolean add(WebhookJob job) {
        synchronized (this) {
            if (unsaved.size() >= MAX_UNSAVED || unsavedBytes + job.sizeBytes() > MAX_UNSAVED_BYTES) {
                return false;
            }
            unsaved.add(job);
            unsavedBytes += job.sizeBytes();
        }
        writeUnsaved();
        return true;
    }

    /** Writes what waits here, a bounded number of writes at a time; on failure it waits for the next try. */
    private void writeUnsaved() {
        while (true) {
            WebhookJob job;
            Line line;
            boolean list;
            synchronized (this) {
                if (writesInFlight >= MAX_WRITES_IN_FLIGHT || unsaved.isEmpty() || !connection.isOpen()) {
                    return;
                }
                job = unsaved.poll();
                unsavedBytes -= job.sizeBytes();
                writesInFlight++;
                line = line(job.url());
                list = !line.listed;
                line.listed = true;
            }
            if (list) {
                redis.sadd(endpointsKey, job.url()).whenComplete((added, error) -> {
                    if (error != null) {
                        synchronized (this) {
                            line.listed = false; // listed with the next job
                        }
                    }
                });
            }
            String[] keys = {line.keys[0], line.keys[1], line.tag + ":added:" + job.id()};
            ADD.<Long>run(redis, ScriptOutputType.INTEGER, keys, Integer.toString(maxJobsPerLine), job.encode())
                    .whenComplete((added, error) -> {
                        synchronized (this) {
                            writesInFlight--;
                            if (error != null) {
                                unsaved.addFirst(job); // kept, in order, for the next try
                                unsavedBytes += job.sizeBytes();
                            } else if (added == 1) {
                                line.maybeJobs = true;
                            }
                            notifyAll(); // close() waits for the writes
                        }
                        if (error != null) {
                            warn("cannot write a webhook job to " + connection.describe() + " (kept in this process, " + unsavedCount()
                                    + " waiting): " + error);
                            return;
                        }
                        if (added == 0) {
                            stats.dropped.incrementAndGet();
                            warn("webhook job " + job.id() + " of app " + job.appId() + " dropped: the line of " + Secrets.mask(job.url())
                                    + " in " + connection.describe() + " holds queue.max_jobs (" + maxJobsPerLine + ") jobs");
                            return;
                        }
                        wakeUp.accept(job.url());
                        writeUnsaved();
                    });
        }
    }

    private synchronized int unsavedCount() {
        return unsaved.size();
    }

    // --- taking ---

    @Override
    public Set<String> endpoints() {
        writeUnsaved(); // also the retry of writes that failed while Redis was away
        long now = System.nanoTime();
        Set<String> due = new HashSet<>();
        boolean refresh;
        synchronized (this) {
            lines.forEach((url, line) -> {
                if (line.maybeJobs || now - line.lastReadNanos >= POLL_NANOS) {
                    due.add(url);
                }
            });
            refresh = !readingEndpoints && now - endpointsReadNanos >= ENDPOINTS_REFRESH_NANOS && connection.isOpen();
            readingEndpoints |= refresh;
        }
        if (refresh) {
            redis.smembers(endpointsKey).whenComplete((urls, error) -> {
                synchronized (this) {
                    readingEndpoints = false;
                    endpointsReadNanos = System.nanoTime();
                    if (urls != null) {
                        urls.forEach(url -> line(url).listed = true);
                    }
                }
            });
        }
        return due;
    }

    @Override
    public CompletableFuture<List<Leased>> take(String url, int max) {
        long now = System.nanoTime();
        Line line;
        boolean claim;
        String cursor;
        synchronized (this) {
            line = line(url);
            line.lastReadNanos = now;
            claim = now - line.lastClaimNanos >= TimeUnit.MILLISECONDS.toNanos(leaseMillis / 2);
            if (claim) {
                line.lastClaimNanos = now;
            }
            cursor = line.claimCursor;
        }
        if (!connection.isOpen()) {
            return CompletableFuture.completedFuture(List.of());
        }
        return TAKE.<List<Object>>run(redis, ScriptOutputType.MULTI, line.keys, nodeId, Integer.toString(max),
                        claim ? Long.toString(leaseMillis) : "0", cursor)
                .thenApply(reply -> {
                    List<Leased> taken = new ArrayList<>();
                    for (int i = 1; i + 1 < reply.size(); i += 2) {
                        Receipt receipt = new Receipt(line, (String) reply.get(i));
                        try {
                            taken.add(new Leased(WebhookJob.decode((String) reply.get(i + 1)), receipt));
                        } catch (IllegalArgumentException e) {
                            log.warn("webhooks: removed an unreadable job {} from {} ({})", receipt.entryId(), line.keys[0],
                                    e.getMessage());
                            done(new Leased(null, receipt));
                        }
                    }
                    synchronized (this) {
                        line.claimCursor = (String) reply.get(0);
                        line.maybeJobs = reply.size() / 2 >= max; // fewer than asked: none until a hint or the next poll
                    }
                    return taken;
                });
    }

    /** Runs an update of the jobs this node holds; close() waits for it. */
    private CompletableFuture<Object> update(LuaScript script, Line line, String... args) {
        synchronized (this) {
            updatesInFlight++;
        }
        return script.run(redis, ScriptOutputType.INTEGER, line.keys, args).whenComplete((ok, error) -> {
            synchronized (this) {
                updatesInFlight--;
                notifyAll();
            }
        });
    }

    @Override
    public void done(Leased job) {
        Receipt receipt = (Receipt) job.receipt();
        update(DONE, receipt.line(), receipt.entryId()).whenComplete((ok, error) -> {
            if (error != null) {
                warn("cannot remove finished webhook job " + receipt.entryId() + " from " + connection.describe()
                        + "; another node may send it again once its lease of " + leaseMillis + " ms ends: " + error);
            }
        });
    }

    @Override
    public void retry(Leased job, WebhookJob next, long delayMillis) {
        Receipt receipt = (Receipt) job.receipt();
        update(RETRY, receipt.line(), receipt.entryId(), Long.toString(delayMillis), next.encode()).whenComplete((ok, error) -> {
            if (error != null) {
                warn("cannot put webhook job " + receipt.entryId() + " back into " + connection.describe()
                        + "; it stays leased and is taken again once its lease of " + leaseMillis + " ms ends: " + error);
            }
        });
    }

    @Override
    public void renew(List<Leased> jobs) {
        Map<Line, List<String>> byLine = new HashMap<>();
        for (Leased job : jobs) {
            Receipt receipt = (Receipt) job.receipt();
            byLine.computeIfAbsent(receipt.line(), l -> new ArrayList<>(List.of(nodeId))).add(receipt.entryId());
        }
        byLine.forEach((line, args) -> update(RENEW, line, args.toArray(String[]::new)).whenComplete((renewed, error) -> {
            if (error != null) {
                warn("cannot renew the leases of webhook jobs in " + connection.describe() + ": " + error);
            }
        }));
    }

    @Override
    public void onJobsAdded(Consumer<String> wakeUp) {
        this.wakeUp = wakeUp;
    }

    @Override
    public long heldInProcess() {
        return unsavedCount();
    }

    @Override
    public boolean isHealthy() {
        return connection.isOpen();
    }

    @Override
    public boolean probe(Duration timeout) {
        return connection.ping(timeout);
    }

    @Override
    public String describe() {
        return connection.describe();
    }

    private void warn(String message) {
        if (warnings.due(this) >= 0) {
            log.warn("webhooks: {} (further such warnings within a minute are not logged)", message);
        }
    }

    /** Writes what waits here, and the updates on their way, if Redis answers within a few seconds; then disconnects. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        writeUnsaved();
        synchronized (this) {
            long left;
            while ((!unsaved.isEmpty() || writesInFlight > 0 || updatesInFlight > 0) && connection.isOpen()
                    && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        connection.close();
    }
}
