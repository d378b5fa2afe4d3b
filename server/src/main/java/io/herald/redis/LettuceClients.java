package io.herald.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import java.util.List;

/**
 * Lettuce clients for every redis-backed part (cache, rate limiter, cluster adapter). They share
 * one set of Lettuce threads instead of a set per client, and read with Netty's pooled allocator:
 * Lettuce's reply decoder failed under Netty 4.2's default adaptive allocator in our test runs
 * (an IndexOutOfBoundsException in RedisStateMachine while connecting).
 */
public final class LettuceClients {
    private static final ClientResources RESOURCES = DefaultClientResources.builder()
            .nettyCustomizer(new NettyCustomizer() {
                @Override
                public void afterBootstrapInitialized(Bootstrap bootstrap) {
                    bootstrap.option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
                }
            })
            .build();

    private LettuceClients() {}

    /** A client of no particular server; connections name theirs. Shut it down when done. */
    public static RedisClient standalone() {
        return RedisClient.create(RESOURCES);
    }

    public static RedisClient standalone(String url) {
        return RedisClient.create(RESOURCES, url);
    }

    public static RedisClusterClient cluster(List<String> seedUrls) {
        return RedisClusterClient.create(RESOURCES, seedUrls.stream().map(RedisURI::create).toList());
    }
}
