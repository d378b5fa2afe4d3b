package io.herald.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.ratelimit.RateLimiter.Decision;
import io.herald.ratelimit.RedisRateLimiter;
import io.herald.redis.LettuceClients;
import io.herald.testing.TestServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The redis driver against the real Redis: shared counts, key layout and expiry, failing open. */
class RedisRateLimiterTest {
    // A fresh prefix per run, so an earlier run's keys can never count in this one.
    private static final String PREFIX = "herald_test_rl_" + UUID.randomUUID() + ":";

    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;
    private static RedisCommands<String, String> redis;
    private static final LettuceClients LETTUCE = LettuceClients.withOwnThreads();

    @BeforeAll
    static void connect() {
        client = RedisClient.create(TestServers.redisUrl());
        connection = client.connect();
        redis = connection.sync();
    }

    @AfterAll
    static void disconnect() {
        redis.keys(PREFIX + "*").forEach(redis::del);
        connection.close();
        client.shutdown();
        LETTUCE.close();
    }

    @Test
    void twoLimitersOnOneRedisShareTheCount() {
        try (RedisRateLimiter a = new RedisRateLimiter(LETTUCE, TestServers.redisUrl(), PREFIX);
             RedisRateLimiter b = new RedisRateLimiter(LETTUCE, TestServers.redisUrl(), PREFIX)) {
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
        try (RedisRateLimiter limiter = new RedisRateLimiter(LETTUCE, TestServers.redisUrl(), PREFIX)) {
            limiter.tryAcquire("ws:3.3.3.3", 5, 30).join();
            limiter.tryAcquire("ws:3.3.3.3", 5, 30).join();
            assertThat(redis.get(PREFIX + "ws:3.3.3.3")).isEqualTo("2");
            assertThat(redis.pttl(PREFIX + "ws:3.3.3.3")).isBetween(1L, 30_000L);
        }
    }

    @Test
    void aKeyLeftWithoutExpiryGetsOneBack() {
        redis.set(PREFIX + "api:4.4.4.4", "7"); // as if a crash had come between INCR and PEXPIRE
        try (RedisRateLimiter limiter = new RedisRateLimiter(LETTUCE, TestServers.redisUrl(), PREFIX)) {
            assertThat(limiter.tryAcquire("api:4.4.4.4", 3, 60).join().allowed()).isFalse();
            assertThat(redis.pttl(PREFIX + "api:4.4.4.4")).isBetween(1L, 60_000L);
        }
    }

    @Test
    void aRedisErrorAllowsTheRequest() {
        redis.set(PREFIX + "api:5.5.5.5", "not a number"); // INCR fails on this key
        try (RedisRateLimiter limiter = new RedisRateLimiter(LETTUCE, TestServers.redisUrl(), PREFIX)) {
            for (int i = 0; i < 5; i++) {
                assertThat(limiter.tryAcquire("api:5.5.5.5", 1, 60).join().allowed()).isTrue();
            }
        }
    }

    @Test
    void anUnreachableRedisAtStartUpIsAnError() {
        assertThatThrownBy(() -> new RedisRateLimiter(LETTUCE, "redis://127.0.0.1:1", PREFIX))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("rate_limiter.driver redis")
                .hasMessageContaining("127.0.0.1:1");
    }
}
