package io.herald.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.ratelimit.RateLimiter.Decision;
import io.herald.ratelimit.RedisRateLimiter;
import io.herald.redis.LettuceClients;
import io.herald.config.HeraldConfig;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The redis drivers against the real Redis and Redis Cluster: shared counts, key layout and
 * expiry, failing open. Each subclass names the endpoint and gives plain commands to look at it.
 */
abstract class RedisRateLimiterContract {
    // A fresh prefix per run, so an earlier run's keys can never count in this one.
    private final String PREFIX = "herald_test_rl_" + UUID.randomUUID() + ":";
    private final LettuceClients LETTUCE = LettuceClients.withOwnThreads();
    private RedisClusterCommands<String, String> redis;

    /** The Redis under test. */
    abstract HeraldConfig.RedisEndpoint endpoint();

    /** Plain commands on the same Redis, to look at the keys. */
    abstract RedisClusterCommands<String, String> inspect();

    /** Closes what {@link #inspect} opened. */
    abstract void closeInspection();

    @BeforeEach
    void connect() {
        redis = inspect();
    }

    @AfterEach
    void disconnect() {
        redis.keys(PREFIX + "*").forEach(redis::del);
        closeInspection();
        LETTUCE.close();
    }

    @Test
    void twoLimitersOnOneRedisShareTheCount() {
        try (RedisRateLimiter a = new RedisRateLimiter(LETTUCE, endpoint(), PREFIX);
             RedisRateLimiter b = new RedisRateLimiter(LETTUCE, endpoint(), PREFIX)) {
            assertThat(a.tryAcquire("api:1.1.1.1", 3, 60).join().allowed()).isTrue();
            assertThat(b.tryAcquire("api:1.1.1.1", 3, 60).join().allowed()).isTrue();
            assertThat(a.tryAcquire("api:1.1.1.1", 3, 60).join().allowed()).isTrue();
            Decision fourth = b.tryAcquire("api:1.1.1.1", 3, 60).join();
            assertThat(fourth.allowed()).isFalse();
            assertThat(fourth.retryAfterSeconds()).isBetween(1L, 60L);
            assertThat(a.tryAcquire("api:2.2.2.2", 3, 60).join().allowed()).isTrue();
            assertThat(a.isHealthy()).isTrue();
        }
    }

    @Test
    void keyIsPrefixScopeIpAndExpiresWithTheWindow() {
        try (RedisRateLimiter limiter = new RedisRateLimiter(LETTUCE, endpoint(), PREFIX)) {
            limiter.tryAcquire("ws:3.3.3.3", 5, 30).join();
            limiter.tryAcquire("ws:3.3.3.3", 5, 30).join();
            assertThat(redis.get(PREFIX + "ws:3.3.3.3")).isEqualTo("2");
            assertThat(redis.pttl(PREFIX + "ws:3.3.3.3")).isBetween(1L, 30_000L);
        }
    }

    @Test
    void aKeyLeftWithoutExpiryGetsOneBack() {
        redis.set(PREFIX + "api:4.4.4.4", "7"); // as if a crash had come between INCR and PEXPIRE
        try (RedisRateLimiter limiter = new RedisRateLimiter(LETTUCE, endpoint(), PREFIX)) {
            assertThat(limiter.tryAcquire("api:4.4.4.4", 3, 60).join().allowed()).isFalse();
            assertThat(redis.pttl(PREFIX + "api:4.4.4.4")).isBetween(1L, 60_000L);
        }
    }

    @Test
    void aRedisErrorAllowsTheRequest() {
        redis.set(PREFIX + "api:5.5.5.5", "not a number"); // INCR fails on this key
        try (RedisRateLimiter limiter = new RedisRateLimiter(LETTUCE, endpoint(), PREFIX)) {
            for (int i = 0; i < 5; i++) {
                assertThat(limiter.tryAcquire("api:5.5.5.5", 1, 60).join().allowed()).isTrue();
            }
        }
    }

    @Test
    void anUnreachableRedisAtStartUpIsAnError() {
        HeraldConfig.RedisEndpoint nobody = endpoint() instanceof HeraldConfig.RedisEndpoint.Cluster
                ? new HeraldConfig.RedisEndpoint.Cluster(List.of("redis://127.0.0.1:1"))
                : new HeraldConfig.RedisEndpoint.Standalone("redis://127.0.0.1:1");
        assertThatThrownBy(() -> new RedisRateLimiter(LETTUCE, nobody, PREFIX))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("rate_limiter.driver " + nobody.driver() + ": cannot connect to redis://127.0.0.1:1");
    }
}
