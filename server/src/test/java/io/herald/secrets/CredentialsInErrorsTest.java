package io.herald.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.herald.Herald;
import io.herald.Main;
import io.herald.config.ConfigException;
import io.herald.config.ConfigLoader;
import io.herald.config.HeraldConfig;
import io.herald.testing.CapturedLogs;
import io.herald.testing.PrivateNats;
import io.herald.testing.PrivateRedis;
import io.herald.testing.TestServers;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * Issue 12, item 13: a backend credential never reaches a log line or an error message. Each test
 * provokes a start-up failure with a secret of its own and searches the exception (its whole
 * cause chain) and everything logged meanwhile, by any logger, Lettuce's and jnats's included.
 */
class CredentialsInErrorsTest {

    private static int nobody() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String secret() {
        return "Hunter2Secret" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Starts a node with {@code config}, which must fail; returns the failure after checking that
     * neither it nor any log line holds {@code secret}, and that no stack trace was logged.
     */
    private static Throwable failedStart(HeraldConfig config, String secret) {
        Throwable failure;
        try (CapturedLogs logs = CapturedLogs.ofLoggers(Logger.ROOT_LOGGER_NAME);
             CapturedLogs herald = CapturedLogs.ofLoggers("io.herald")) {
            failure = catchThrowable(() -> Herald.start(config).close());
            assertThat(failure).as("start-up must fail").isNotNull();
            assertThat(logs.withThrowableText()).noneMatch(line -> line.contains(secret));
            assertThat(herald.withThrowable()).as("stack traces logged by Herald during the failure").isEmpty();
        }
        assertThat(failure.getMessage()).doesNotContain("\n");
        List<String> chain = new ArrayList<>();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            chain.add(cause + " " + List.of(cause.getSuppressed()));
        }
        assertThat(chain).noneMatch(text -> text.contains(secret));
        assertThat(config.toString()).doesNotContain(secret);
        return failure;
    }

    private static HeraldConfig withAdapter(HeraldConfig.AdapterConfig adapter) {
        return TestServers.withAdapter(TestServers.config(), adapter, "secrets-" + UUID.randomUUID());
    }

    @Test
    void redisAdapterUrlsWithPasswordsAreMasked() throws Exception {
        int port = nobody();
        for (String form : List.of("redis://:%s@127.0.0.1:%d", "redis://user:%s@127.0.0.1:%d/0", "rediss://:%s@127.0.0.1:%d")) {
            String secret = secret();
            String url = form.formatted(secret, port);
            Throwable failure = failedStart(withAdapter(new HeraldConfig.AdapterConfig.Redis(url, url, "p:", 1000)), secret);
            assertThat(failure.getMessage()).startsWith("adapter.driver redis: cannot connect to "
                    + url.substring(0, url.indexOf("://") + 3) + "127.0.0.1:" + port);
        }
    }

    @Test
    void redisClusterSeedsWithPasswordsAreMasked() throws Exception {
        String secret = secret();
        int port = nobody();
        Throwable failure = failedStart(withAdapter(new HeraldConfig.AdapterConfig.RedisCluster(
                List.of("redis://:" + secret + "@127.0.0.1:" + port), "p:", 1000)), secret);
        assertThat(failure.getMessage()).startsWith("adapter.driver redis-cluster: cannot connect to redis://127.0.0.1:" + port);
    }

    @Test
    void cacheRateLimiterAndQueueOnAnUnreachableRedisAreMasked() throws Exception {
        int port = nobody();
        String secret = secret();
        HeraldConfig.RedisEndpoint redis = new HeraldConfig.RedisEndpoint.Standalone(
                "redis://default:" + secret + "@127.0.0.1:" + port + "/0");
        HeraldConfig base = TestServers.config();

        Throwable cache = failedStart(base.toBuilder().cache(new HeraldConfig.CacheConfig.Redis(redis, "c:", 60)).build(), secret);
        assertThat(cache.getMessage()).startsWith("cache.driver redis: cannot connect to redis://127.0.0.1:" + port + "/0");

        HeraldConfig.RateLimiterConfig off = HeraldConfig.RateLimiterConfig.off();
        Throwable limiter = failedStart(base.toBuilder().rateLimiter(new HeraldConfig.RateLimiterConfig(true,
                new HeraldConfig.RateLimiterBackend.Redis(redis, "rl:"), off.apiMaxRequests(), off.apiWindowSeconds(),
                off.websocketMaxRequests(), off.websocketWindowSeconds(), false)).build(), secret);
        assertThat(limiter.getMessage()).contains("redis: cannot connect to redis://127.0.0.1:" + port + "/0");

        HeraldConfig.QueueConfig memory = HeraldConfig.QueueConfig.memory();
        Throwable queue = failedStart(base.toBuilder().queue(new HeraldConfig.QueueConfig("redis", 1,
                "redis://:" + secret + "@127.0.0.1:" + port, List.of(), "q:", 1000, memory.leaseSeconds(),
                memory.maxJobs())).build(), secret);
        assertThat(queue.getMessage()).contains("cannot connect to redis://127.0.0.1:" + port);

        Throwable clusterCache = failedStart(base.toBuilder().cache(new HeraldConfig.CacheConfig.Redis(
                new HeraldConfig.RedisEndpoint.Cluster(List.of("redis://:" + secret + "@127.0.0.1:" + port)), "c:", 60))
                .build(), secret);
        assertThat(clusterCache.getMessage()).startsWith("cache.driver redis-cluster: cannot connect to redis://127.0.0.1:" + port);
    }

    @Test
    void aWrongRedisPasswordIsOneLineNamingTheHostWithoutEitherPassword() throws Exception {
        String real = secret();
        String wrong = secret();
        try (PrivateRedis redis = PrivateRedis.start(List.of("--requirepass", real))) {
            String url = "redis://:" + wrong + "@127.0.0.1:" + redis.port();
            Throwable failure = failedStart(withAdapter(new HeraldConfig.AdapterConfig.Redis(url, url, "p:", 1000)), wrong);
            assertThat(failure.getMessage())
                    .startsWith("adapter.driver redis: cannot connect to redis://127.0.0.1:" + redis.port())
                    .contains("authentication failed (check the password)").contains("WRONGPASS")
                    .doesNotContain(real);
        }
    }

    @Test
    void natsUrlsWithCredentialsOrTokensAreMasked() throws Exception {
        int port = nobody();
        for (String form : List.of("nats://user:%s@127.0.0.1:%d", "nats://%s@127.0.0.1:%d", "tls://%s@127.0.0.1:%d")) {
            String secret = secret();
            String url = form.formatted(secret, port);
            Throwable failure = failedStart(withAdapter(
                    new HeraldConfig.AdapterConfig.Nats(List.of(url), "p:", 1000, 1000, null, null, null)), secret);
            assertThat(failure.getMessage()).startsWith("adapter.driver nats: cannot connect to "
                    + url.substring(0, url.indexOf("://") + 3) + "127.0.0.1:" + port);
        }
    }

    @Test
    void natsPasswordAndTokenFromTheConfigAreMasked() throws Exception {
        int port = nobody();
        String password = secret();
        String token = secret();
        Throwable failure = failedStart(withAdapter(new HeraldConfig.AdapterConfig.Nats(
                List.of("nats://127.0.0.1:" + port), "p:", 1000, 1000, "user", password, null)), password);
        assertThat(failure.getMessage()).startsWith("adapter.driver nats: cannot connect to nats://127.0.0.1:" + port);
        failedStart(withAdapter(new HeraldConfig.AdapterConfig.Nats(
                List.of("nats://127.0.0.1:" + port), "p:", 1000, 1000, null, null, token)), token);
    }

    @Test
    void aWrongNatsTokenIsOneLineNamingTheServerWithoutEitherToken() throws Exception {
        String real = secret();
        String wrong = secret();
        try (PrivateNats nats = PrivateNats.start("--auth", real)) {
            Throwable failure = failedStart(withAdapter(new HeraldConfig.AdapterConfig.Nats(
                    List.of("nats://127.0.0.1:" + nats.port()), "p:", 1000, 2000, null, null, wrong)), wrong);
            assertThat(failure.getMessage())
                    .startsWith("adapter.driver nats: cannot connect to nats://127.0.0.1:" + nats.port())
                    .containsIgnoringCase("authorization")
                    .doesNotContain(real);
        }
    }

    @Test
    void configurationTextsNeverShowAPassword() throws Exception {
        String redisPassword = secret();
        String natsToken = secret();
        String dbPassword = secret();
        HeraldConfig redisParts = ConfigLoader.load(null, Map.of(
                "REDIS_URL", "redis://:" + redisPassword + "@127.0.0.1:6379/0", "CACHE_DRIVER", "redis",
                "QUEUE_DRIVER", "redis", "ADAPTER_DRIVER", "redis-cluster",
                "REDIS_CLUSTER_NODES", "redis://:" + redisPassword + "@127.0.0.1:7000",
                "APP_MANAGER_DRIVER", "mysql", "DATABASE_MYSQL_PASSWORD", dbPassword), Path.of("/nonexistent"));
        assertThat(redisParts.toString()).doesNotContain(redisPassword).doesNotContain(dbPassword);
        assertThat(redisParts.secrets()).contains(redisPassword, dbPassword);

        HeraldConfig nats = ConfigLoader.load(null, Map.of("ADAPTER_DRIVER", "nats",
                "NATS_SERVERS", "nats://" + natsToken + "@127.0.0.1:4222", "NATS_TOKEN", natsToken), Path.of("/nonexistent"));
        assertThat(nats.toString()).doesNotContain(natsToken);
        assertThat(TestServers.config().toString()).doesNotContain(TestServers.APP_SECRET);

        // A secret of the wrong type is named, never printed.
        Path file = Files.createTempFile("herald-secret", ".json");
        try {
            Files.writeString(file, "{\"adapter\": {\"driver\": \"nats\", \"nats\": {\"token\": [\"" + natsToken + "\"]}},"
                    + " \"database\": {\"redis\": {\"password\": 12345678}}}");
            assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Path.of("/nonexistent")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("adapter.nats.token")
                    .hasMessageNotContaining(natsToken);
            Files.writeString(file, "{\"cache\": {\"driver\": \"redis\"}, \"database\": {\"redis\": {\"password\": 12345678}}}");
            assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Path.of("/nonexistent")))
                    .hasMessageContaining("database.redis.password")
                    .hasMessageNotContaining("12345678");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** What {@code bin/herald} prints and exits with when a backend refuses it: one line, no secret. */
    @Test
    void theCommandLinePrintsOneLineWithoutThePassword() throws Exception {
        String secret = secret();
        int port = nobody();
        Path config = Files.createTempFile("herald-secret", ".json");
        Path output = Files.createTempFile("herald-secret", ".log");
        try {
            Files.writeString(config, "{\"host\": \"127.0.0.1\", \"port\": 0, \"metrics\": {\"enabled\": false},"
                    + " \"cache\": {\"driver\": \"redis\"},"
                    + " \"database\": {\"redis\": {\"host\": \"127.0.0.1\", \"port\": " + port + ", \"password\": \"" + secret + "\"}}}");
            Process node = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!node.waitFor(60, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
            String printed = Files.readString(output);
            assertThat(node.exitValue()).as(printed).isEqualTo(1);
            assertThat(printed).doesNotContain(secret)
                    .contains("herald: cannot start: cache.driver redis: cannot connect to redis://127.0.0.1:" + port + "/0");
            assertThat(printed.lines().filter(line -> line.startsWith("\tat "))).as("stack trace lines").isEmpty();
        } finally {
            Files.deleteIfExists(config);
            Files.deleteIfExists(output);
        }
    }
}
