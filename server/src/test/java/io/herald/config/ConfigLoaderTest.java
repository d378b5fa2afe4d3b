package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.app.App;
import io.herald.app.Webhook;
import io.herald.testing.CapturedLogs;
import io.herald.testing.TestServers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private CapturedLogs logs;

    @BeforeEach
    void captureLogs() {
        logs = CapturedLogs.onThisThread(ConfigTree.class, AppRecordParser.class, DefaultAppEnv.class, ConfigLoader.class);
    }

    @AfterEach
    void releaseLogs() {
        logs.close();
    }

    // ---- helpers -------------------------------------------------------------------------------

    private Path defaultFile(String json) throws IOException {
        Path file = dir.resolve("config/config.json");
        Files.createDirectories(file.getParent());
        return Files.writeString(file, json);
    }

    private Path file(String name, String json) throws IOException {
        return Files.writeString(dir.resolve(name), json);
    }

    private HeraldConfig load(Path explicit, Map<String, String> env) {
        return ConfigLoader.load(explicit, env, dir);
    }

    private HeraldConfig loadJson(String json) throws IOException {
        return load(file("herald.json", json), Map.of());
    }

    private String errorFor(String json) throws IOException {
        Path path = file("herald.json", json);
        return errorFor(path, Map.of());
    }

    private String errorFor(Path explicit, Map<String, String> env) {
        try {
            load(explicit, env);
        } catch (ConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected a ConfigException");
    }

    private List<String> warnings() {
        return logs.warnings();
    }

    private static final String APP = "{\"id\":\"a1\",\"key\":\"k1\",\"secret\":\"s1\"}";

    // ---- layering --------------------------------------------------------------------------------

    @Test
    void defaultsWithNoFileAndNoEnvironment() {
        HeraldConfig c = load(null, Map.of());

        assertThat(c.debug()).isFalse();
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(6001);
        assertThat(c.activityTimeoutSeconds()).isEqualTo(120);
        assertThat(c.pongTimeoutSeconds()).isEqualTo(30);
        assertThat(c.shutdownGracePeriodSeconds()).isEqualTo(10);
        assertThat(c.userAuthenticationTimeoutSeconds()).isEqualTo(3600);
        assertThat(c.websocketMaxPayloadKb()).isEqualTo(64);
        assertThat(c.httpMaxBodyKb()).isEqualTo(2048);
        assertThat(c.maxChannelsPerConnection()).isEqualTo(100);
        assertThat(c.httpRequestTimeoutSeconds()).isEqualTo(30);
        assertThat(c.httpIdleTimeoutSeconds()).isEqualTo(60);
        assertThat(c.processId()).isNotBlank();
        assertThat(load(null, Map.of()).processId()).isNotEqualTo(c.processId());
        assertThat(c.adapter().driver()).isEqualTo("local");
        assertThat(c.appManager().driver()).isEqualTo("memory");
        assertThat(TestServers.configuredApps(c)).containsExactly(App.of("app-id", "app-key", "app-secret"));
        assertThat(warnings()).anyMatch(w -> w.contains("No apps configured") && w.contains("app-key"));
    }

    @Test
    void configJsonInWorkingDirOverridesDefaults() throws IOException {
        defaultFile("""
                {"debug": true, "host": "127.0.0.1", "port": 7001, "activity_timeout": 60, "pong_timeout": 5,
                 "shutdown_grace_period": 0, "user_authentication_timeout": 30, "websocket_max_payload_kb": 128,
                 "http_max_body_kb": 512, "max_channels_per_connection": 20, "http_request_timeout": 5,
                 "http_idle_timeout": 15, "instance": {"process_id": "node-1"},
                 "adapter": {"driver": "local"},
                 "app_manager": {"driver": "array", "cache": {"enabled": false, "ttl": 60}, "array": {"apps": [%s]}}}
                """.formatted(APP));

        HeraldConfig c = load(null, Map.of());

        assertThat(c).isEqualTo(new HeraldConfig(true, "127.0.0.1", 7001, 60, 5, 0, 30, 128, 512, 20, 5, 15, "node-1",
                new HeraldConfig.AdapterConfig.Local(),
                new HeraldConfig.AppManagerConfig.Memory(List.of(App.of("a1", "k1", "s1"))),
                HeraldConfig.CacheConfig.memory(), HeraldConfig.SslConfig.off(), HeraldConfig.CorsConfig.defaults(),
                HeraldConfig.RateLimiterConfig.off(), HeraldConfig.QueueConfig.memory(), HeraldConfig.WebhooksConfig.defaults(),
                new HeraldConfig.MetricsConfig(true, "0.0.0.0", 9601, "sockudo_"), HeraldConfig.HealthCheckConfig.defaults()));
    }

    @Test
    void cacheDriverAndItsRedisUrlFollowSockudosPrecedence() throws IOException {
        assertThat(load(null, Map.of()).cache()).isEqualTo(HeraldConfig.CacheConfig.memory());

        HeraldConfig.CacheConfig fromEnv = load(null, Map.of("CACHE_DRIVER", "redis", "REDIS_URL", "redis://cache:6380/2")).cache();
        assertThat(fromEnv.driver()).isEqualTo("redis");
        assertThat(fromEnv).isEqualTo(new HeraldConfig.CacheConfig.Redis(
                new HeraldConfig.RedisEndpoint.Standalone("redis://cache:6380/2"), "sockudo_cache:", 300));

        Path file = dir.resolve("cache.json");
        Files.writeString(file, """
                {"cache": {"driver": "redis", "memory": {"ttl": 60, "max_capacity": 5},
                           "redis": {"prefix": "mine:", "url_override": "redis://override:6379"}},
                 "database": {"redis": {"host": "db-redis", "port": 6390, "db": 3}}}
                """);
        assertThat(load(file, Map.of()).cache()).isEqualTo(new HeraldConfig.CacheConfig.Redis(
                new HeraldConfig.RedisEndpoint.Standalone("redis://override:6379"), "mine:", 60));
        // As in Sockudo, REDIS_URL overrides every part's URL, the file's url_override included.
        assertThat(load(file, Map.of("REDIS_URL", "redis://env:1")).cache()).isEqualTo(new HeraldConfig.CacheConfig.Redis(
                new HeraldConfig.RedisEndpoint.Standalone("redis://env:1"), "mine:", 60));

        Files.writeString(file, "{\"cache\": {\"driver\": \"redis\"},"
                + " \"database\": {\"redis\": {\"host\": \"db-redis\", \"port\": 6390, \"db\": 3}}}");
        assertThat(((HeraldConfig.CacheConfig.Redis) load(file, Map.of()).cache()).redis())
                .isEqualTo(new HeraldConfig.RedisEndpoint.Standalone("redis://db-redis:6390/3"));
    }

    @Test
    void cacheAndRateLimiterOnARedisClusterUseTheSharedClusterNodes() throws IOException {
        Map<String, String> env = Map.of("CACHE_DRIVER", "redis-cluster", "RATE_LIMITER_DRIVER", "redis-cluster",
                "REDIS_CLUSTER_NODES", "redis://n1:7000,redis://n2:7001");
        HeraldConfig.RedisEndpoint shared = new HeraldConfig.RedisEndpoint.Cluster(List.of("redis://n1:7000", "redis://n2:7001"));
        HeraldConfig c = load(null, env);
        assertThat(c.cache()).isEqualTo(new HeraldConfig.CacheConfig.Redis(shared, "sockudo_cache:", 300));
        assertThat(c.rateLimiter().backend()).isEqualTo(new HeraldConfig.RateLimiterBackend.Redis(shared, "sockudo_rl:"));

        HeraldConfig fromFile = loadJson("""
                {"adapter": {"cluster": {"nodes": ["redis://a:7000"]}},
                 "cache": {"driver": "redis-cluster", "redis_cluster": {"prefix": "c:"}},
                 "rate_limiter": {"driver": "redis-cluster", "redis_cluster": {"nodes": ["redis://own:7005"], "prefix": "r:"}}}
                """);
        assertThat(fromFile.cache()).isEqualTo(new HeraldConfig.CacheConfig.Redis(
                new HeraldConfig.RedisEndpoint.Cluster(List.of("redis://a:7000")), "c:", 300));
        assertThat(fromFile.rateLimiter().backend()).isEqualTo(new HeraldConfig.RateLimiterBackend.Redis(
                new HeraldConfig.RedisEndpoint.Cluster(List.of("redis://own:7005")), "r:"));
        assertThat(loadJson("{\"cache\": {\"driver\": \"redis\", \"redis\": {\"cluster_mode\": true,"
                + " \"url_override\": \"redis://seed:7000\"}}}").cache())
                .isEqualTo(new HeraldConfig.CacheConfig.Redis(new HeraldConfig.RedisEndpoint.Cluster(List.of("redis://seed:7000")),
                        "sockudo_cache:", 300));
    }

    @Test
    void aRedisPasswordWithUrlCharactersIsEncodedNotReadAsTheHost() throws IOException {
        HeraldConfig c = loadJson("""
                {"cache": {"driver": "redis"}, "database": {"redis": {"host": "r", "port": 6390, "password": "p@ss#w0rd/:x"}}}
                """);
        assertThat(((HeraldConfig.CacheConfig.Redis) c.cache()).redis())
                .isEqualTo(new HeraldConfig.RedisEndpoint.Standalone("redis://:p%40ss%23w0rd%2F%3Ax@r:6390/0"));
        assertThat(c.cache().toString()).doesNotContain("p%40ss").doesNotContain("p@ss");
    }

    @Test
    void explicitFileOverridesConfigJsonKeyByKey() throws IOException {
        defaultFile("{\"port\": 7001, \"host\": \"10.0.0.1\", \"instance\": {\"process_id\": \"from-default\"}}");
        Path explicit = file("prod.json", "{\"port\": 7002, \"instance\": {\"process_id\": \"from-explicit\"}}");

        HeraldConfig c = load(explicit, Map.of());

        assertThat(c.port()).isEqualTo(7002);
        assertThat(c.processId()).isEqualTo("from-explicit");
        assertThat(c.host()).isEqualTo("10.0.0.1"); // only in config/config.json: still applies
    }

    @Test
    void environmentWinsOverFiles() throws IOException {
        Path explicit = file("prod.json", """
                {"port": 7002, "host": "10.0.0.1", "debug": false, "pong_timeout": 9,
                 "adapter": {"driver": "redis"}, "ssl": {"enabled": true}}
                """);
        Map<String, String> env = Map.ofEntries(
                Map.entry("PORT", "7003"), Map.entry("HOST", "127.0.0.2"), Map.entry("DEBUG", "Yes"),
                Map.entry("ACTIVITY_TIMEOUT", "45"), Map.entry("PONG_TIMEOUT", "12"),
                Map.entry("SHUTDOWN_GRACE_PERIOD", "3"), Map.entry("USER_AUTHENTICATION_TIMEOUT", "99"),
                Map.entry("WEBSOCKET_MAX_PAYLOAD_KB", "256"), Map.entry("HTTP_MAX_BODY_KB", "100"),
                Map.entry("MAX_CHANNELS_PER_CONNECTION", "128"), Map.entry("HTTP_REQUEST_TIMEOUT", "7"),
                Map.entry("HTTP_IDLE_TIMEOUT", "8"),
                Map.entry("INSTANCE_PROCESS_ID", "env-node"), Map.entry("ADAPTER_DRIVER", "local"),
                Map.entry("APP_MANAGER_DRIVER", "ARRAY"), Map.entry("SSL_ENABLED", "0"),
                Map.entry("HTTP_MAX_BODY_KB_UNRELATED", "x"));

        HeraldConfig c = load(explicit, env);

        assertThat(c.port()).isEqualTo(7003);
        assertThat(c.host()).isEqualTo("127.0.0.2");
        assertThat(c.debug()).isTrue();
        assertThat(c.activityTimeoutSeconds()).isEqualTo(45);
        assertThat(c.pongTimeoutSeconds()).isEqualTo(12);
        assertThat(c.shutdownGracePeriodSeconds()).isEqualTo(3);
        assertThat(c.userAuthenticationTimeoutSeconds()).isEqualTo(99);
        assertThat(c.websocketMaxPayloadKb()).isEqualTo(256);
        assertThat(c.httpMaxBodyKb()).isEqualTo(100);
        assertThat(c.maxChannelsPerConnection()).isEqualTo(128);
        assertThat(c.httpRequestTimeoutSeconds()).isEqualTo(7);
        assertThat(c.httpIdleTimeoutSeconds()).isEqualTo(8);
        assertThat(c.processId()).isEqualTo("env-node");
        assertThat(c.adapter().driver()).isEqualTo("local");
        assertThat(c.appManager().driver()).isEqualTo("memory");
    }

    @Test
    void emptyEnvironmentVariablesCountAsUnset() throws IOException {
        Path explicit = file("prod.json", "{\"port\": 7002}");

        HeraldConfig c = load(explicit, Map.of("PORT", "", "DEBUG", "", "SOCKUDO_DEFAULT_APP_ID", ""));

        assertThat(c.port()).isEqualTo(7002);
        assertThat(TestServers.configuredApps(c)).extracting(App::id).containsExactly("app-id");
    }

    @Test
    void variableSubstitutionUsesTheEnvironmentOrTheDefault() throws IOException {
        Path explicit = file("prod.json", """
                {"port": ${HERALD_PORT:-6100}, "host": "${BIND_HOST:-127.0.0.1}",
                 "instance": {"process_id": "${NODE_NAME:-node-x}"}}
                """);

        HeraldConfig fromDefaults = load(explicit, Map.of());
        HeraldConfig fromEnv = load(explicit, Map.of("HERALD_PORT", "6200", "BIND_HOST", "10.1.1.1", "NODE_NAME", ""));

        assertThat(fromDefaults.port()).isEqualTo(6100);
        assertThat(fromDefaults.host()).isEqualTo("127.0.0.1");
        assertThat(fromEnv.port()).isEqualTo(6200);
        assertThat(fromEnv.host()).isEqualTo("10.1.1.1");
        assertThat(fromEnv.processId()).isEqualTo("node-x"); // empty counts as unset
    }

    @Test
    void unsetVariableWithoutDefaultNamesTheVariableAndTheFile() throws IOException {
        Path explicit = file("prod.json", "{\n  \"host\": \"${BIND_HOST}\"\n}");

        assertThat(errorFor(explicit, Map.of()))
                .isEqualTo("config file " + explicit + ", line 2: environment variable BIND_HOST is not set"
                        + " (used as ${BIND_HOST}; write ${BIND_HOST:-value} to give a default)");
    }

    @Test
    void explicitFileThatDoesNotExistNamesThePath() {
        Path missing = dir.resolve("nope.json");

        assertThat(errorFor(missing, Map.of())).isEqualTo("config file " + missing + ": not found");
    }

    // ---- wrong values ----------------------------------------------------------------------------

    @Test
    void wrongTypeNamesKeyExpectedFoundAndFile() throws IOException {
        Path explicit = file("prod.json", "{\"activity_timeout\": \"soon\"}");

        assertThat(errorFor(explicit, Map.of()))
                .isEqualTo("activity_timeout: expected an integer >= 1, got 'soon' (in " + explicit + ")");
        assertThat(errorFor("{\"debug\": \"yes\"}")).startsWith("debug: expected true or false, got 'yes'");
        assertThat(errorFor("{\"host\": 42}")).startsWith("host: expected a non-empty string, got 42");
        assertThat(errorFor("{\"instance\": \"node-1\"}")).startsWith("instance: expected an object, got 'node-1'");
        assertThat(errorFor("{\"app_manager\": {\"array\": {\"apps\": [{\"id\":\"a\",\"key\":\"k\",\"secret\":\"s\","
                + "\"enable_client_messages\": \"true\"}]}}}"))
                .startsWith("app_manager.array.apps[0].enable_client_messages: expected true or false, got 'true'");
        assertThat(errorFor("{\"app_manager\": {\"array\": {\"apps\": {\"id\": \"a\"}}}}"))
                .startsWith("app_manager.array.apps: expected a list of app records, got an object");
    }

    @Test
    void outOfRangeValuesNameTheBounds() throws IOException {
        assertThat(errorFor("{\"port\": 70000}")).startsWith("port: expected an integer between 0 and 65535, got 70000");
        assertThat(errorFor("{\"websocket_max_payload_kb\": 0}"))
                .startsWith("websocket_max_payload_kb: expected an integer between 1 and 16384, got 0");
        assertThat(errorFor("{\"http_max_body_kb\": 100000}"))
                .startsWith("http_max_body_kb: expected an integer between 1 and 65536, got 100000");
        assertThat(errorFor("{\"pong_timeout\": 0}")).startsWith("pong_timeout: expected an integer >= 1, got 0");
        assertThat(errorFor("{\"shutdown_grace_period\": -1}"))
                .startsWith("shutdown_grace_period: expected an integer >= 0, got -1");
        assertThat(errorFor("{\"activity_timeout\": 1.5}")).startsWith("activity_timeout: expected an integer >= 1, got 1.5");
        assertThat(errorFor("{\"app_manager\": {\"array\": {\"apps\": [{\"id\":\"a\",\"key\":\"k\",\"secret\":\"s\","
                + "\"max_connections\": -5}]}}}"))
                .startsWith("app_manager.array.apps[0].max_connections: expected an integer >= 0, got -5");
        assertThat(load(null, Map.of("PORT", "0")).port()).isZero(); // ephemeral port allowed
    }

    @Test
    void malformedJsonNamesFileLineAndColumn() throws IOException {
        Path explicit = file("prod.json", "{\n  \"port\": 7001\n  \"host\": \"x\"\n}");

        assertThat(errorFor(explicit, Map.of()))
                .startsWith("config file " + explicit + ": malformed JSON at line 3, column 3: ")
                .contains("was expecting comma");
    }

    @Test
    void duplicateKeyInOneFileIsAnError() throws IOException {
        assertThat(errorFor("{\"port\": 1,\n \"port\": 2}")).contains("malformed JSON at line 2").contains("'port'");
    }

    @Test
    void unknownKeysAreLoggedWithTheirFullPathAndIgnoredOnesWithTheirReason() throws IOException {
        HeraldConfig c = loadJson("""
                {"mode": "production", "port": 7001,
                 "adapter": {"driver": "local", "cluster_health": {"enabled": true}, "redis": {"whatever": 1}},
                 "app_manager": {"array": {"apps": [{"id": "a", "key": "k", "secret": "s", "colour": "blue"}]}},
                 "database": {"mysql": {"host": "db"}}, "metrics": {"enabled": false}, "cors": {"origin": ["*"]}}
                """);

        assertThat(c.port()).isEqualTo(7001);
        assertThat(warnings()).anyMatch(w -> w.startsWith("Ignored setting mode: Herald has no production/development mode"))
                .anyMatch(w -> w.startsWith("Ignored setting adapter.cluster_health.enabled: Herald's cluster heartbeat is fixed"))
                .anyMatch(w -> w.startsWith("Unknown configuration key 'adapter.redis.whatever' ignored"))
                .anyMatch(w -> w.startsWith("Unknown configuration key 'app_manager.array.apps[0].colour' ignored"))
                .noneMatch(w -> w.contains("database") || w.contains("cors") || w.contains("metrics"));
    }

    @Test
    void misspelledKeysAtAnyDepthGetTheClosestKnownKey() throws IOException {
        loadJson("""
                {"rate_limiter": {"api_rate_limit": {"max_request": 5}},
                 "adapter": {"redis": {"requests_timeout_ms": 100}, "nats": {"server": ["nats://a:4222"]}},
                 "app_manager": {"cache": {"enabeld": true}, "array": {"apps": [{"id": "a", "key": "k", "secret": "s",
                   "max_conections": 5, "webhooks": [{"url": "https://h", "event_types": [], "filter": {"chanel_prefix": "x"}}]}]}},
                 "database": {"redis": {"hots": "r"}, "mysql": {"pasword": "x"}},
                 "cahce": {}, "prefix": "p:"}
                """);

        assertThat(warnings()).contains(
                unknown("rate_limiter.api_rate_limit.max_request", "did you mean 'max_requests'?"),
                unknown("adapter.redis.requests_timeout_ms", "did you mean 'requests_timeout'?"),
                unknown("adapter.nats.server", "did you mean 'servers'?"),
                unknown("app_manager.cache.enabeld", "did you mean 'enabled'?"),
                unknown("app_manager.array.apps[0].max_conections", "did you mean 'max_connections'?"),
                unknown("app_manager.array.apps[0].webhooks[0].filter.chanel_prefix", "did you mean 'channel_prefix'?"),
                unknown("database.redis.hots", "did you mean 'host'?"),
                unknown("database.mysql.pasword", "did you mean 'password'?"),
                unknown("cahce", "did you mean 'cache'?"),
                unknown("prefix", "did you mean 'cache.redis.prefix' or 'queue.redis.prefix' or 'adapter.nats.prefix'?"));
    }

    private String unknown(String key, String suggestion) {
        return "Unknown configuration key '" + key + "' ignored (in " + dir.resolve("herald.json") + "); " + suggestion;
    }

    @Test
    void refusedKeysStopStartUpNamingTheKeyAndWhy() throws IOException {
        assertThat(errorFor("{\"ssl\": {\"passphrase\": \"x\"}}"))
                .startsWith("ssl.passphrase: not supported: Herald reads only an unencrypted PKCS#8 key");
        assertThat(errorFor("{\"unix_socket\": {\"enabled\": true}}"))
                .startsWith("unix_socket.enabled: not supported: Herald listens on TCP only");
        assertThat(errorFor("{\"database\": {\"redis\": {\"sentinels\": [{\"host\": \"s1\", \"port\": 26379}]}}}"))
                .startsWith("database.redis.sentinels[0].host: not supported: Herald cannot find Redis through Sentinel");
        assertThat(errorFor(null, Map.of("UNIX_SOCKET_ENABLED", "on")))
                .isEqualTo("UNIX_SOCKET_ENABLED: not supported: Herald listens on TCP only (host and port)");
        // What Herald does anyway needs no message.
        loadJson("{\"unix_socket\": {\"enabled\": false}, \"database\": {\"redis\": {\"sentinels\": []}},"
                + " \"websocket\": {\"compression\": \"disabled\"}, \"history\": {\"retention_window_seconds\": 5}}");
        assertThat(warnings()).noneMatch(w -> w.contains("unix_socket") || w.contains("sentinels") || w.contains("websocket")
                || w.contains("history"));
    }

    @Test
    void ignoredEnvironmentVariablesAreWarnedAboutAndMisspelledOnesGetTheClosest() {
        load(null, Map.of("WEBSOCKET_MAX_BYTES", "5", "WEBSOCKET_AUTO_PING", "false", "METRICS_ENABLED", "false",
                "SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGE", "true", "REDIS_HOST", "r", "HOSTNAME", "box", "PATH", "/bin"));

        assertThat(warnings())
                .contains("Ignored environment variables WEBSOCKET_AUTO_PING, WEBSOCKET_MAX_BYTES: Herald's WebSocket"
                        + " settings are websocket_max_payload_kb and activity_timeout, with a fixed 1 MiB bound on each"
                        + " connection's unsent data")
                .contains("Environment variable SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGE is not read by Herald; did you mean"
                        + " SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES?")
                .contains("Environment variable REDIS_HOST is not read by Herald; did you mean DATABASE_REDIS_HOST?")
                .noneMatch(w -> w.contains("METRICS_ENABLED") || w.contains("HOSTNAME") || w.contains("PATH"));
    }

    @Test
    void sockudoDocumentationBlocksWithCommentsAreAccepted() throws IOException {
        HeraldConfig c = loadJson("""
                {
                  "shutdown_grace_period": 30,  // Allow connections to close gracefully
                  "instance": {
                    "process_id": "sockudo-node-1"  // Unique per instance
                  }
                }
                """);

        assertThat(c.shutdownGracePeriodSeconds()).isEqualTo(30);
        assertThat(c.processId()).isEqualTo("sockudo-node-1");
    }

    // ---- apps ------------------------------------------------------------------------------------

    @Test
    void appRecordsAreParsedWithLimitsAndZeroMeansDefault() throws IOException {
        HeraldConfig c = loadJson("""
                {"app_manager": {"driver": "memory", "array": {"apps": [
                  {"id": 12345, "key": "key-1", "secret": "secret-1", "enabled": false, "max_connections": 500,
                   "enable_client_messages": true, "max_client_events_per_second": 10,
                   "max_backend_events_per_second": "20", "max_read_requests_per_second": 30,
                   "max_presence_members_per_channel": 50, "max_presence_member_size_in_kb": 4,
                   "max_channel_name_length": 0, "max_event_channels_at_once": 0, "max_event_name_length": 64,
                   "max_event_payload_in_kb": 0, "max_event_batch_size": 5, "enable_user_authentication": true,
                   "enable_watchlist_events": true, "enable_subscription_count_event": true,
                   "allowed_origins": ["https://example.com"],
                   "webhooks": [{"url": "https://example.com/hook", "event_types": ["channel_occupied"]}]},
                  {"id": "app-2", "key": "key-2", "secret": "secret-2"}
                ]}}}
                """);

        assertThat(TestServers.configuredApps(c)).containsExactly(
                App.builder("12345", "key-1", "secret-1").enabled(false).maxConnections(500).enableClientMessages(true)
                        .maxClientEventsPerSecond(10).maxBackendEventsPerSecond(20).maxReadRequestsPerSecond(30)
                        .maxPresenceMembersPerChannel(50).maxPresenceMemberSizeInKb(4).maxEventNameLength(64)
                        .maxEventBatchSize(5).enableUserAuthentication(true).enableWatchlistEvents(true)
                        .enableSubscriptionCountEvent(true).allowedOrigins(List.of("https://example.com"))
                        .webhooks(List.of(Webhook.to("https://example.com/hook", "channel_occupied"))).build(),
                App.of("app-2", "key-2", "secret-2"));
        assertThat(TestServers.configuredApps(c).get(1).maxClientEventsPerSecond()).as("Pusher's default").isEqualTo(10);
        assertThat(warnings()).noneMatch(w -> w.contains("webhook"));
    }

    @Test
    void missingSecretIsAnError() throws IOException {
        assertThat(errorFor("{\"app_manager\": {\"array\": {\"apps\": [{\"id\": \"a\", \"key\": \"k\"}]}}}"))
                .startsWith("app_manager.array.apps[0].secret: expected a non-empty string, got nothing");
    }

    @Test
    void duplicateAppKeyNamesBothEntries() throws IOException {
        String message = errorFor("""
                {"app_manager": {"array": {"apps": [
                  {"id": "a", "key": "same", "secret": "s1"}, {"id": "b", "key": "other", "secret": "s2"},
                  {"id": "c", "key": "same", "secret": "s3"}]}}}
                """);

        assertThat(message).startsWith("app_manager.array.apps[2].key: duplicate app key 'same', already used by"
                + " app_manager.array.apps[0]");
    }

    @Test
    void duplicateAppIdNamesBothEntries() throws IOException {
        assertThat(errorFor("{\"app_manager\": {\"array\": {\"apps\": [" + APP + ", {\"id\":\"a1\",\"key\":\"k2\","
                + "\"secret\":\"s\"}]}}}"))
                .startsWith("app_manager.array.apps[1].id: duplicate app id 'a1', already used by app_manager.array.apps[0]");
    }

    @Test
    void defaultAppFromEnvironmentReplacesTheFilesAppsAsInSockudo() throws IOException {
        Path explicit = file("prod.json", "{\"app_manager\": {\"array\": {\"apps\": [" + APP + "]}}}");
        Map<String, String> env = Map.ofEntries(
                Map.entry("SOCKUDO_DEFAULT_APP_ID", "env-app"), Map.entry("SOCKUDO_DEFAULT_APP_KEY", "env-key"),
                Map.entry("SOCKUDO_DEFAULT_APP_SECRET", "env-secret"), Map.entry("SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES", "on"),
                Map.entry("SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS", "100"),
                Map.entry("SOCKUDO_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SECOND", "7"),
                Map.entry("SOCKUDO_DEFAULT_APP_MAX_BACKEND_EVENTS_PER_SECOND", "8"),
                Map.entry("SOCKUDO_DEFAULT_APP_MAX_READ_REQUESTS_PER_SECOND", "9"),
                Map.entry("SOCKUDO_DEFAULT_APP_MAX_PRESENCE_MEMBERS_PER_CHANNEL", "11"),
                Map.entry("SOCKUDO_DEFAULT_APP_MAX_PRESENCE_MEMBER_SIZE_IN_KB", "3"),
                Map.entry("SOCKUDO_DEFAULT_APP_MAX_CHANNEL_NAME_LENGTH", "120"),
                Map.entry("SOCKUDO_DEFAULT_APP_MAX_EVENT_CHANNELS_AT_ONCE", "12"),
                Map.entry("SOCKUDO_DEFAULT_APP_MAX_EVENT_NAME_LENGTH", "130"),
                Map.entry("SOCKUDO_DEFAULT_APP_MAX_EVENT_PAYLOAD_IN_KB", "50"),
                Map.entry("SOCKUDO_DEFAULT_APP_MAX_EVENT_BATCH_SIZE", "4"),
                Map.entry("SOCKUDO_DEFAULT_APP_ALLOWED_ORIGINS", "https://a.example, https://b.example"),
                Map.entry("SOCKUDO_DEFAULT_APP_ENABLE_USER_AUTHENTICATION", "1"),
                Map.entry("SOCKUDO_DEFAULT_APP_ENABLE_WATCHLIST_EVENTS", "yes"), Map.entry("SOCKUDO_DEFAULT_APP_ENABLED", "TRUE"),
                Map.entry("SOCKUDO_DEFAULT_APP_WEBHOOKS", "[{\"url\": \"https://h\", \"event_types\": [\"member_added\"]}]"));

        assertThat(TestServers.configuredApps(load(explicit, env))).containsExactly(
                App.builder("env-app", "env-key", "env-secret").maxConnections(100).enableClientMessages(true)
                        .maxClientEventsPerSecond(7).maxBackendEventsPerSecond(8).maxReadRequestsPerSecond(9)
                        .maxPresenceMembersPerChannel(11).maxPresenceMemberSizeInKb(3).maxChannelNameLength(120)
                        .maxEventChannelsAtOnce(12).maxEventNameLength(130).maxEventPayloadInKb(50).maxEventBatchSize(4)
                        .allowedOrigins(List.of("https://a.example", "https://b.example"))
                        .enableUserAuthentication(true).enableWatchlistEvents(true)
                        .webhooks(List.of(Webhook.to("https://h", "member_added"))).build());
        assertThat(logs.all()).anyMatch(line -> line.contains("The 1 app(s) of app_manager.array.apps are replaced"));
    }

    @Test
    void sockudosClientMessagesVariableEnablesClientEventsOfTheDefaultApp() {
        Map<String, String> credentials = Map.of("SOCKUDO_DEFAULT_APP_ID", "i", "SOCKUDO_DEFAULT_APP_KEY", "k",
                "SOCKUDO_DEFAULT_APP_SECRET", "s");
        Map<String, String> env = new java.util.HashMap<>(credentials);
        env.put("SOCKUDO_ENABLE_CLIENT_MESSAGES", "true");
        assertThat(TestServers.configuredApps(load(null, env)).get(0).enableClientMessages()).isTrue();
        env.put("SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES", "off"); // the longer name wins
        assertThat(TestServers.configuredApps(load(null, env)).get(0).enableClientMessages()).isFalse();
        // Herald's fallback app (nothing configured) takes the settings variables too.
        assertThat(TestServers.configuredApps(load(null, Map.of("SOCKUDO_ENABLE_CLIENT_MESSAGES", "yes"))))
                .containsExactly(App.builder("app-id", "app-key", "app-secret").enableClientMessages(true).build());
    }

    @Test
    void aDefaultAppMissingItsIdKeyOrSecretStopsStartUpNamingThem() throws IOException {
        assertThat(errorFor(null, Map.of("SOCKUDO_DEFAULT_APP_ID", "my-app")))
                .isEqualTo("SOCKUDO_DEFAULT_APP_KEY and SOCKUDO_DEFAULT_APP_SECRET are not set, but SOCKUDO_DEFAULT_APP_ID is:"
                        + " the default app needs its id, key and secret (or set SOCKUDO_DEFAULT_APP_ENABLED=false)");
        assertThat(errorFor(null, Map.of("SOCKUDO_DEFAULT_APP_KEY", "k", "SOCKUDO_DEFAULT_APP_SECRET", "s")))
                .startsWith("SOCKUDO_DEFAULT_APP_ID is not set, but SOCKUDO_DEFAULT_APP_KEY, SOCKUDO_DEFAULT_APP_SECRET are:");
        assertThat(logs.all()).as("no warning before the error").noneMatch(line -> line.contains("No apps configured"));
    }

    @Test
    void defaultAppEnabledFalseMeansNoDefaultAppAndNoneOfTheFiles() throws IOException {
        Path explicit = file("prod.json", "{\"app_manager\": {\"array\": {\"apps\": [" + APP + "]}}}");
        assertThat(TestServers.configuredApps(load(explicit, Map.of("SOCKUDO_DEFAULT_APP_ENABLED", "false")))).isEmpty();
        assertThat(TestServers.configuredApps(load(null, Map.of("SOCKUDO_DEFAULT_APP_ENABLED", "off",
                "SOCKUDO_DEFAULT_APP_ID", "half")))).isEmpty();
        assertThat(TestServers.configuredApps(load(explicit, Map.of("SOCKUDO_DEFAULT_APP_ENABLED", "true"))))
                .containsExactly(App.of("a1", "k1", "s1"));
        assertThat(TestServers.configuredApps(load(explicit, Map.of("SOCKUDO_SKIP_INLINE_APPS", "1")))).isEmpty();
        assertThat(TestServers.configuredApps(load(explicit, Map.of("APP_MANAGER_REGISTER_INLINE_APPS", "no")))).isEmpty();
        assertThat(warnings()).anyMatch(w -> w.startsWith("No apps configured: every connection and API call will be refused"));
    }

    @Test
    void aPolicyAppIsReadFromItsPolicyAndItsFlatFieldsAreToldIgnored() throws IOException {
        HeraldConfig c = loadJson("""
                {"app_manager": {"array": {"apps": [{"id": "p", "key": "pk", "secret": "ps", "enabled": true,
                  "max_connections": 5,
                  "policy": {"limits": {"max_connections": "50", "max_event_batch_size": 3},
                             "features": {"enable_client_messages": true},
                             "channels": {"allowed_origins": ["https://x.example"]},
                             "webhooks": [{"url": "https://h", "event_types": ["channel_occupied"]}]}}]}}}
                """);
        assertThat(TestServers.configuredApps(c)).containsExactly(App.builder("p", "pk", "ps").maxConnections(50)
                .maxEventBatchSize(3).enableClientMessages(true).allowedOrigins(List.of("https://x.example"))
                .webhooks(List.of(Webhook.to("https://h", "channel_occupied"))).build());
        assertThat(warnings()).anyMatch(w -> w.startsWith("app_manager.array.apps[0].max_connections: ignored because the"
                + " app has a policy"));
    }

    @Test
    void defaultAppErrorsNameTheVariable() throws IOException {
        assertThat(errorFor(null, Map.of("SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS", "lots")))
                .isEqualTo("SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS: expected an integer >= 0, got 'lots'");
        assertThat(errorFor(null, Map.of("SOCKUDO_DEFAULT_APP_WEBHOOKS", "[{")))
                .startsWith("SOCKUDO_DEFAULT_APP_WEBHOOKS: expected a JSON list of webhooks, got malformed JSON");
    }

    // ---- drivers and unavailable features --------------------------------------------------------

    @Test
    void sqlAppManagersReadTheDatabaseBlockAndItsVariables() throws IOException {
        HeraldConfig.AppManagerConfig mysql = loadJson("""
                {"app_manager": {"driver": "mysql", "cache": {"enabled": true, "ttl": 30}},
                 "database": {"mysql": {"host": "mysql-cluster.example.com", "connection_pool_size": 4}}}
                """).appManager();
        assertThat(mysql).isEqualTo(new HeraldConfig.AppManagerConfig.Mysql(new HeraldConfig.SqlDatabase(
                "mysql-cluster.example.com", 3306, "root", null, "sockudo", "applications", 4), new HeraldConfig.AppCache(true, 30)));

        HeraldConfig.AppManagerConfig postgres = load(null, Map.of("APP_MANAGER_DRIVER", "pgsql",
                "DATABASE_POSTGRES_HOST", "pg", "DATABASE_POSTGRES_PORT", "5433", "DATABASE_POSTGRES_USERNAME", "herald",
                "DATABASE_POSTGRES_PASSWORD", "s3cret", "DATABASE_POSTGRES_DATABASE", "realtime",
                "DATABASE_POSTGRES_TABLE_NAME", "apps")).appManager();
        assertThat(postgres).isEqualTo(new HeraldConfig.AppManagerConfig.Postgres(new HeraldConfig.SqlDatabase(
                "pg", 5433, "herald", "s3cret", "realtime", "apps", 10), HeraldConfig.AppCache.defaults()));
        assertThat(postgres.toString()).doesNotContain("s3cret");
        assertThat(load(null, Map.of("APP_MANAGER_DRIVER", "postgresql")).appManager().driver()).isEqualTo("postgres");

        assertThat(errorFor(null, Map.of("APP_MANAGER_DRIVER", "mysql", "DATABASE_MYSQL_TABLE_NAME", "apps; DROP TABLE x")))
                .isEqualTo("DATABASE_MYSQL_TABLE_NAME: expected a table name of letters, digits and underscores,"
                        + " got 'apps; DROP TABLE x'");
    }

    @Test
    void adapterBlocksFromTheScalingGuideAreReadAsPrinted() throws IOException {
        HeraldConfig.AdapterConfig redis = loadJson("""
                {
                  "adapter": {
                    "driver": "redis",
                    "redis": {
                      "requests_timeout": 5000,
                      "prefix": "sockudo_adapter:",
                      "cluster_mode": false,
                      "redis_pub_options": {
                        "url": "redis://your-redis-host:6379/0"
                      },
                      "redis_sub_options": {
                        "url": "redis://your-redis-host:6379/0"
                      }
                    }
                  }
                }
                """).adapter();
        assertThat(redis).isEqualTo(new HeraldConfig.AdapterConfig.Redis("redis://your-redis-host:6379/0",
                "redis://your-redis-host:6379/0", "sockudo_adapter:", 5000));

        HeraldConfig.AdapterConfig cluster = loadJson("""
                {
                  "adapter": {
                    "driver": "redis-cluster",
                    "cluster": {
                      "nodes": [
                        "redis://node1.example.com:7000",
                        "redis://node2.example.com:7001",
                        "redis://node3.example.com:7002"
                      ],
                      "prefix": "sockudo_cluster:",
                      "request_timeout_ms": 5000,
                      "use_connection_manager": true
                    }
                  }
                }
                """).adapter();
        assertThat(cluster).isEqualTo(new HeraldConfig.AdapterConfig.RedisCluster(List.of("redis://node1.example.com:7000",
                "redis://node2.example.com:7001", "redis://node3.example.com:7002"), "sockudo_cluster:", 5000));

        HeraldConfig.AdapterConfig nats = loadJson("""
                {
                  "adapter": {
                    "driver": "nats",
                    "nats": {
                      "servers": ["nats://nats-server1:4222", "nats://nats-server2:4222"],
                      "prefix": "sockudo_nats:",
                      "request_timeout_ms": 5000,
                      "connection_timeout_ms": 5000,
                      "username": null,
                      "password": null,
                      "token": null
                    }
                  }
                }
                """).adapter();
        assertThat(nats).isEqualTo(new HeraldConfig.AdapterConfig.Nats(
                List.of("nats://nats-server1:4222", "nats://nats-server2:4222"), "sockudo_nats:", 5000, 5000, null, null, null));
        assertThat(warnings()).as("the guide's keys are all known").noneMatch(w -> w.contains("Unknown configuration key"));
    }

    @Test
    void adapterEnvironmentVariablesFromTheScalingGuide() {
        assertThat(load(null, Map.of("ADAPTER_DRIVER", "redis", "REDIS_URL", "redis://redis:6379")).adapter())
                .isEqualTo(new HeraldConfig.AdapterConfig.Redis("redis://redis:6379", "redis://redis:6379", "sockudo_adapter:", 5000));

        HeraldConfig.AdapterConfig nats = load(null, Map.of("ADAPTER_DRIVER", "nats", "NATS_URL", "nats://nats-server:4222",
                "NATS_USERNAME", "your_username", "NATS_PASSWORD", "your_password", "NATS_PREFIX", "p:",
                "NATS_REQUEST_TIMEOUT_MS", "750")).adapter();
        assertThat(nats).isEqualTo(new HeraldConfig.AdapterConfig.Nats(List.of("nats://nats-server:4222"), "p:", 750, 5000,
                "your_username", "your_password", null));
        assertThat(nats.toString()).doesNotContain("your_password");
        assertThat(load(null, Map.of("ADAPTER_DRIVER", "nats", "NATS_SERVERS", "nats://a:4222, nats://b:4222", "NATS_TOKEN", "t"))
                .adapter()).isEqualTo(new HeraldConfig.AdapterConfig.Nats(List.of("nats://a:4222", "nats://b:4222"),
                        "sockudo_nats:", 5000, 5000, null, null, "t"));

        assertThat(load(null, Map.of("ADAPTER_DRIVER", "redis-cluster",
                "REDIS_CLUSTER_NODES", "redis://n1:7000,redis://n2:7001")).adapter())
                .isEqualTo(new HeraldConfig.AdapterConfig.RedisCluster(List.of("redis://n1:7000", "redis://n2:7001"),
                        "sockudo_cluster:", 5000));
        assertThat(load(null, Map.of()).adapter()).isEqualTo(new HeraldConfig.AdapterConfig.Local());
    }

    @Test
    void redisAdapterInClusterModeUsesTheRedisClusterDriver() throws IOException {
        HeraldConfig.AdapterConfig adapter = loadJson("""
                {"adapter": {"driver": "redis", "redis": {"cluster_mode": true,
                  "redis_pub_options": {"url": "redis://c1:7000"}, "redis_sub_options": {"url": "redis://c2:7001"}}}}
                """).adapter();
        assertThat(adapter).isEqualTo(new HeraldConfig.AdapterConfig.RedisCluster(List.of("redis://c1:7000", "redis://c2:7001"),
                "sockudo_adapter:", 5000));
        assertThat(errorFor("{\"adapter\": {\"driver\": \"nats\", \"nats\": {\"request_timeout_ms\": 0}}}"))
                .startsWith("adapter.nats.request_timeout_ms: expected an integer between 1 and 600000");
    }

    @Test
    void unknownDriverFailsListingTheValidOnes() throws IOException {
        assertThat(errorFor("{\"adapter\": {\"driver\": \"mqtt\"}}"))
                .startsWith("adapter.driver: expected one of local, redis, redis-cluster, nats, pulsar,");
        assertThat(errorFor("{\"adapter\": {\"driver\": \"kafka\"}}"))
                .startsWith("adapter.driver: 'kafka' is a Sockudo driver that Herald does not have (Herald has: local, redis,"
                        + " redis-cluster, nats)");
        assertThat(errorFor(null, Map.of("APP_MANAGER_DRIVER", "mongo")))
                .startsWith("APP_MANAGER_DRIVER: expected one of memory, array, mysql, postgres, pgsql, postgresql, dynamodb,");
    }

    @Test
    void ioTransportIsAutoByDefaultAndOneOfTheKnownOnes() throws IOException {
        assertThat(loadJson("{}").ioTransport()).isEqualTo("auto");
        assertThat(loadJson("{\"io_transport\": \"io_uring\"}").ioTransport()).isEqualTo("io_uring");
        assertThat(load(null, Map.of("IO_TRANSPORT", "NIO")).ioTransport()).isEqualTo("nio");
        assertThat(errorFor("{\"io_transport\": \"kqueue\"}"))
                .startsWith("io_transport: expected one of auto, epoll, io_uring, nio, got 'kqueue'");
    }

    @Test
    void startupWarmUpIsOnByDefaultAndABoolean() throws IOException {
        assertThat(loadJson("{}").startupWarmUp()).isTrue();
        assertThat(loadJson("{\"startup_warm_up\": false}").startupWarmUp()).isFalse();
        assertThat(load(null, Map.of("STARTUP_WARM_UP", "false")).startupWarmUp()).isFalse();
        assertThat(errorFor("{\"startup_warm_up\": \"later\"}")).startsWith("startup_warm_up");
    }

    @Test
    void sslNeedsReadableCertificateAndKey() throws IOException {
        assertThat(errorFor("{\"ssl\": {\"enabled\": true, \"key_path\": \"/k.pem\"}}"))
                .startsWith("ssl.cert_path: required when ssl.enabled is true");
        assertThat(errorFor("{\"ssl\": {\"enabled\": true, \"cert_path\": \"/nowhere/c.pem\", \"key_path\": \"/k.pem\"}}"))
                .startsWith("ssl.cert_path: cannot read /nowhere/c.pem");
        Path cert = Files.writeString(dir.resolve("c.pem"), "x");
        Path key = Files.writeString(dir.resolve("k.pem"), "x");
        HeraldConfig.SslConfig ssl = load(null, Map.of("SSL_ENABLED", "true", "SSL_CERT_PATH", cert.toString(),
                "SSL_KEY_PATH", key.toString())).ssl();
        assertThat(ssl.enabled()).isTrue();
        assertThat(ssl.certPath()).isEqualTo(cert.toString());
        assertThat(loadJson("{\"ssl\": {\"enabled\": false}}").ssl().enabled()).isFalse();
    }

    @Test
    void corsAndRateLimiterBlocksAreRead() throws IOException {
        HeraldConfig c = loadJson("""
                {"cors": {"origin": ["https://a.example"], "credentials": true},
                 "rate_limiter": {"enabled": true, "driver": "redis", "api_rate_limit": {"max_requests": 5, "window_seconds": 10},
                                  "redis": {"prefix": "rl:"}, "trust_forwarded_for": true}}
                """);
        assertThat(c.cors().origins()).containsExactly("https://a.example");
        assertThat(c.cors().credentials()).isTrue();
        assertThat(c.rateLimiter()).isEqualTo(new HeraldConfig.RateLimiterConfig(true, new HeraldConfig.RateLimiterBackend.Redis(
                new HeraldConfig.RedisEndpoint.Standalone("redis://127.0.0.1:6379/0"), "rl:"), 5, 10, 20, 60, true));
    }

    @Test
    void aSockudoOperatorsEnvironmentWorksAsItIs() {
        HeraldConfig c = load(null, Map.ofEntries(
                Map.entry("ADAPTER_DRIVER", "redis"), Map.entry("CACHE_DRIVER", "REDIS"), Map.entry("QUEUE_DRIVER", "redis"),
                Map.entry("RATE_LIMITER_ENABLED", "on"), Map.entry("RATE_LIMITER_DRIVER", "redis"),
                Map.entry("RATE_LIMITER_API_MAX_REQUESTS", "500"), Map.entry("RATE_LIMITER_WS_TRUST_HOPS", "1"),
                Map.entry("DATABASE_REDIS_HOST", "redis.internal"), Map.entry("DATABASE_REDIS_PORT", "6380"),
                Map.entry("DATABASE_REDIS_PASSWORD", "s3cr@t"), Map.entry("DATABASE_REDIS_DB", "2"),
                Map.entry("SOCKUDO_DEFAULT_APP_ID", "app"), Map.entry("SOCKUDO_DEFAULT_APP_KEY", "key"),
                Map.entry("SOCKUDO_DEFAULT_APP_SECRET", "secret"), Map.entry("SOCKUDO_ENABLE_CLIENT_MESSAGES", "On"),
                Map.entry("SSL_REDIRECT_HTTP", "off"), Map.entry("CORS_ORIGINS", "https://a.example, https://b.example"),
                Map.entry("CORS_CREDENTIALS", "yes"), Map.entry("DEBUG_MODE", "1"), Map.entry("SOCKUDO_MAX_CONNECTIONS", "5000")));

        String redis = "redis://:s3cr%40t@redis.internal:6380/2";
        assertThat(c.adapter()).isEqualTo(new HeraldConfig.AdapterConfig.Redis(redis, redis, "sockudo_adapter:", 5000));
        assertThat(c.cache()).isEqualTo(new HeraldConfig.CacheConfig.Redis(new HeraldConfig.RedisEndpoint.Standalone(redis),
                "sockudo_cache:", 300));
        assertThat(c.queue().redisUrl()).isEqualTo(redis);
        assertThat(c.rateLimiter()).isEqualTo(new HeraldConfig.RateLimiterConfig(true, new HeraldConfig.RateLimiterBackend.Redis(
                new HeraldConfig.RedisEndpoint.Standalone(redis), "sockudo_rl:"), 500, 60, 20, 60, false, 0, 1));
        assertThat(TestServers.configuredApps(c)).containsExactly(App.builder("app", "key", "secret")
                .enableClientMessages(true).build());
        assertThat(c.cors().origins()).containsExactly("https://a.example", "https://b.example");
        assertThat(c.cors().credentials()).isTrue();
        assertThat(c.debug()).isTrue();
        assertThat(c.maxConnections()).isEqualTo(5000);
        assertThat(c.toString()).doesNotContain("s3cr");
    }

    @Test
    void defaultsThatDifferFromSockudosAreToldOnceWhileInForce() throws IOException {
        load(null, Map.of());
        List<String> told = logs.all().stream().filter(line -> line.startsWith("Default differs from Sockudo")).toList();
        assertThat(told).hasSize(5).doesNotHaveDuplicates()
                .anyMatch(line -> line.contains("rate_limiter.enabled is false (Sockudo: true)"))
                .anyMatch(line -> line.contains("cors.credentials is false (Sockudo: true)"))
                .anyMatch(line -> line.contains("webhooks.batching.enabled is false (Sockudo: true)"))
                .anyMatch(line -> line.contains("HTTP API bodies are limited to 2048 KB"))
                .anyMatch(line -> line.contains("queue.driver is memory (Sockudo: redis)"));

        CapturedLogs chosen = CapturedLogs.onThisThread(ConfigLoader.class);
        try (chosen) {
            loadJson("""
                    {"rate_limiter": {"enabled": false}, "cors": {"credentials": false}, "http_max_body_kb": 100,
                     "webhooks": {"batching": {"enabled": false}}, "queue": {"driver": "memory"},
                     "adapter": {"driver": "redis", "fallback_to_local": false}}
                    """);
            assertThat(chosen.all()).noneMatch(line -> line.startsWith("Default differs from Sockudo"));
        }
    }

    @Test
    void badEnvironmentValuesNameTheVariable() {
        assertThat(errorFor(null, Map.of("PORT", "abc")))
                .isEqualTo("PORT: expected an integer between 0 and 65535, got 'abc'");
        assertThat(errorFor(null, Map.of("DEBUG", "maybe")))
                .isEqualTo("DEBUG: expected true/false, 1/0, yes/no or on/off, got 'maybe'");
        assertThat(errorFor(null, Map.of("ACTIVITY_TIMEOUT", "0")))
                .isEqualTo("ACTIVITY_TIMEOUT: expected an integer >= 1, got '0'");
    }
}
