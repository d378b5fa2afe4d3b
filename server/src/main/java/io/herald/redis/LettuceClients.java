package io.herald.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lettuce clients for every redis-backed part of one node (cache, rate limiter, cluster adapter).
 *
 * <p>Their connections run on the node's own worker event loops rather than on Lettuce's threads:
 * a message from Redis is then delivered to that loop's subscribers without a thread hand-off,
 * and a 2-core machine has two threads fewer competing for it. They read with Netty's pooled
 * allocator: Lettuce's reply decoder failed under Netty 4.2's default adaptive allocator in our
 * test runs (an IndexOutOfBoundsException in RedisStateMachine while connecting).
 */
public final class LettuceClients implements AutoCloseable {
    private final ClientResources resources;
    /** TLS for {@code rediss://} trusting a private CA; null: the JVM's authorities (Lettuce's default). */
    private final SslOptions ssl;

    private LettuceClients(DefaultClientResources.Builder builder, Path trustedCa) {
        this.ssl = trustedCa == null ? null : SslOptions.builder().jdkSslProvider().trustManager(trustedCa.toFile()).build();
        this.resources = builder
                // Reconnect tries back off to 2 s at most (Lettuce's default is 30 s): a Redis that is
                // back is in use again within about 2 s.
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .nettyCustomizer(new NettyCustomizer() {
                    @Override
                    public void afterBootstrapInitialized(Bootstrap bootstrap) {
                        bootstrap.option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
                    }
                })
                .build();
    }

    /**
     * Clients whose connections run on {@code workers}, the node's event loops. With {@code meters}
     * (null: none), each Redis command's latency is recorded there ({@code lettuce_command_*}).
     */
    public static LettuceClients onLoops(EventLoopGroup workers, MeterRegistry meters) {
        return onLoops(workers, meters, null);
    }

    /**
     * As {@link #onLoops(EventLoopGroup, MeterRegistry)}; {@code rediss://} connections trust the
     * certificate authorities of the PEM file {@code trustedCa} (null: the JVM's).
     */
    public static LettuceClients onLoops(EventLoopGroup workers, MeterRegistry meters, Path trustedCa) {
        DefaultClientResources.Builder builder = DefaultClientResources.builder().eventLoopGroupProvider(new SharedLoops(workers));
        if (meters != null) {
            builder.commandLatencyRecorder(new MicrometerCommandLatencyRecorder(meters, MicrometerOptions.create()));
        }
        return new LettuceClients(builder, trustedCa);
    }

    /** Clients on Lettuce's own threads, for code that has no event loops of its own (tests, tools). */
    public static LettuceClients withOwnThreads() {
        return new LettuceClients(DefaultClientResources.builder(), null);
    }

    /**
     * Options every client of a single Redis starts from: they carry the TLS trust, so a part that
     * sets its own options (timeouts, queue bounds) must build on these, not replace them.
     */
    public ClientOptions.Builder clientOptions() {
        ClientOptions.Builder options = ClientOptions.builder();
        return ssl == null ? options : options.sslOptions(ssl);
    }

    /** {@link #clientOptions()} for a Redis Cluster. */
    public ClusterClientOptions.Builder clusterClientOptions() {
        ClusterClientOptions.Builder options = ClusterClientOptions.builder();
        return ssl == null ? options : options.sslOptions(ssl);
    }

    /** A client of no particular server; connections name theirs. Shut it down when done. */
    public RedisClient standalone() {
        RedisClient client = RedisClient.create(resources);
        client.setOptions(clientOptions().build());
        return client;
    }

    public RedisClient standalone(String url) {
        RedisClient client = RedisClient.create(resources, url);
        client.setOptions(clientOptions().build());
        return client;
    }

    public RedisClusterClient cluster(List<String> seedUrls) {
        RedisClusterClient client = RedisClusterClient.create(resources, seedUrls.stream().map(RedisURI::create).toList());
        client.setOptions(clusterClientOptions().build());
        return client;
    }

    /** Stops Lettuce's timer and helper threads; the event loops stay (the node stops them last). */
    @Override
    public void close() {
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** Hands Lettuce the node's worker loops, whatever group type it asks for, and never shuts them down. */
    private record SharedLoops(EventLoopGroup workers) implements EventLoopGroupProvider {
        @Override
        @SuppressWarnings("unchecked")
        public <T extends EventLoopGroup> T allocate(Class<T> type) {
            return (T) workers;
        }

        @Override
        public int threadPoolSize() {
            int loops = 0;
            for (var ignored : workers) {
                loops++;
            }
            return loops;
        }

        @Override
        public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }

        @Override
        public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }
    }
}
