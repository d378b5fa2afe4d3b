package io.herald.redis;

import io.herald.config.HeraldConfig.RedisEndpoint;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.RedisCodec;
import io.herald.wire.Secrets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One command connection of a redis-backed part, to a single Redis or to a Redis Cluster: the
 * commands they share ({@link RedisClusterAsyncCommands}) work on both, so a part is written once.
 * Commands sent while the connection is down wait in a bounded queue for at most the timeout, or
 * are refused at once with {@link Options#rejectWhileDisconnected}: nothing grows without bound
 * during an outage. On a Redis Cluster they always wait (bounded the same way): Lettuce opens the
 * connection to each shard when a command first goes there, and refusing would refuse those.
 */
public final class RedisConnection<K, V> implements AutoCloseable {
    private final AbstractRedisClient client;
    private final StatefulConnection<K, V> connection;
    private final RedisClusterAsyncCommands<K, V> commands;
    private final RedisEndpoint endpoint;

    /**
     * @param commandTimeout how long a command may take before it fails
     * @param requestQueueSize commands kept while reconnecting (beyond them, commands fail at once)
     * @param rejectWhileDisconnected fail commands at once while disconnected instead of queueing them
     *     (a single Redis only)
     */
    public record Options(Duration commandTimeout, int requestQueueSize, boolean rejectWhileDisconnected) {}

    private RedisConnection(AbstractRedisClient client, StatefulConnection<K, V> connection,
                            RedisClusterAsyncCommands<K, V> commands, RedisEndpoint endpoint) {
        this.client = client;
        this.connection = connection;
        this.commands = commands;
        this.endpoint = endpoint;
    }

    /**
     * Connects (and pings, so that an unreachable server fails here). {@code part} names the
     * configuration that chose this Redis, for the error message, e.g. {@code cache.driver}.
     */
    public static <K, V> RedisConnection<K, V> open(LettuceClients lettuce, RedisEndpoint endpoint, RedisCodec<K, V> codec,
                                                    Options options, String part) {
        ClientOptions.DisconnectedBehavior whileDown = options.rejectWhileDisconnected()
                ? ClientOptions.DisconnectedBehavior.REJECT_COMMANDS : ClientOptions.DisconnectedBehavior.DEFAULT;
        TimeoutOptions timeouts = TimeoutOptions.enabled(options.commandTimeout());
        AbstractRedisClient client = null;
        try {
            // Java 17: an instanceof chain over the sealed endpoint (it has exactly these two kinds).
            if (endpoint instanceof RedisEndpoint.Standalone one) {
                RedisClient single = lettuce.standalone(one.url());
                client = single;
                single.setOptions(lettuce.clientOptions().disconnectedBehavior(whileDown)
                        .requestQueueSize(options.requestQueueSize()).timeoutOptions(timeouts).build());
                StatefulRedisConnection<K, V> connection;
                try {
                    connection = single.connect(codec);
                } catch (RedisConnectionException e) {
                    if (!closedDuringHandshake(e)) {
                        throw e;
                    }
                    // When the server's close overtakes its answer to the handshake (a wrong password
                    // among them), Lettuce reports only the close; a second try says what it was.
                    connection = single.connect(codec);
                }
                connection.sync().ping();
                return new RedisConnection<>(single, connection, connection.async(), endpoint);
            }
            RedisClusterClient many = lettuce.cluster(((RedisEndpoint.Cluster) endpoint).seeds());
            client = many;
            many.setOptions(lettuce.clusterClientOptions()
                    .requestQueueSize(options.requestQueueSize()).timeoutOptions(timeouts).build());
            StatefulRedisClusterConnection<K, V> connection = many.connect(codec);
            connection.sync().ping();
            return new RedisConnection<>(many, connection, connection.async(), endpoint);
        } catch (RuntimeException e) {
            if (client != null) {
                client.shutdown();
            }
            throw cannotConnect(part + " " + endpoint.driver(), endpoint.describe(), e, secretsOf(endpoint));
        }
    }

    private static boolean closedDuringHandshake(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if ("Connection closed prematurely".equals(t.getMessage())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The one-line start-up error of a part that cannot reach its Redis: who, where (without
     * credentials), and Lettuce's reason, masked; a refused password is said in plain words.
     */
    public static IllegalStateException cannotConnect(String who, String where, Throwable error, Set<String> secrets) {
        String reason = Secrets.describe(error, secrets);
        if (reason.contains("WRONGPASS") || reason.contains("NOAUTH") || reason.contains("invalid password")) {
            reason = "authentication failed (check the password): " + reason;
        }
        return new IllegalStateException(who + ": cannot connect to " + where + ": " + reason, error);
    }

    /** The passwords in the endpoint's URLs, masked also where a driver's message prints them decoded. */
    public static Set<String> secretsOf(RedisEndpoint endpoint) {
        Set<String> secrets = new HashSet<>();
        endpoint.urls().forEach(url -> secrets.addAll(Secrets.ofUrl(url)));
        return secrets;
    }

    /** Commands that work on a single Redis and on a Redis Cluster (multi-key ones need one hash slot). */
    public RedisClusterAsyncCommands<K, V> commands() {
        return commands;
    }

    public boolean isOpen() {
        return connection.isOpen();
    }

    /** A PING answered within {@code timeout}; blocks the caller (the health check's thread). */
    public boolean ping(Duration timeout) {
        try {
            return isOpen() && "PONG".equals(String.valueOf(commands.ping().get(timeout.toMillis(), TimeUnit.MILLISECONDS)));
        } catch (Exception e) {
            return false;
        }
    }

    /** {@code redis 127.0.0.1:6379/0} or {@code redis-cluster a:7000,b:7001}, without passwords. */
    public String describe() {
        return endpoint.driver() + " " + endpoint.describe();
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
