package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;

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

/** The webhooks of an app, the queue.* and webhooks.* blocks and their variables, and each mistake's message. */
class WebhookConfigTest {
    @TempDir
    Path dir;

    private CapturedLogs logs;

    @BeforeEach
    void captureLogs() {
        logs = CapturedLogs.onThisThread(WebhookRecords.class, ConfigLoader.class);
    }

    @AfterEach
    void releaseLogs() {
        logs.close();
    }

    private HeraldConfig load(String json, Map<String, String> env) throws IOException {
        Path file = Files.writeString(dir.resolve("herald.json"), json);
        return ConfigLoader.load(file, env, dir);
    }

    private HeraldConfig loadJson(String json) throws IOException {
        return load(json, Map.of());
    }

    private String errorFor(String json) throws IOException {
        try {
            loadJson(json);
        } catch (ConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected a ConfigException");
    }

    /** An app with the given webhooks (JSON list). */
    private static String app(String webhooks) {
        return "{\"app_manager\": {\"array\": {\"apps\": [{\"id\": \"a\", \"key\": \"k\", \"secret\": \"s\", \"webhooks\": "
                + webhooks + "}]}}}";
    }

    private List<Webhook> webhooksOf(String webhooks) throws IOException {
        return TestServers.configuredApps(loadJson(app(webhooks))).get(0).webhooks();
    }

    private List<String> warnings() {
        return logs.warnings();
    }

    @Test
    void aWebhookWithEveryFieldIsRead() throws IOException {
        List<Webhook> webhooks = webhooksOf("""
                [{"url": "https://hooks.example.com/pusher?team=1", "event_types": ["channel_occupied", "member_added"],
                  "filter": {"channel_name_starts_with": "presence-", "channel_name_ends_with": "-room"},
                  "headers": {"X-Team": "blue", "Authorization": "Bearer t"}},
                 {"url": "http://127.0.0.1:9000/h", "event_types": ["client_event"],
                  "filter": {"channel_prefix": "private-", "channel_suffix": "-chat", "channel_pattern": "^private-[a-z]+-chat$"}}]
                """);
        Webhook first = webhooks.get(0);
        assertThat(first.url()).isEqualTo("https://hooks.example.com/pusher?team=1");
        assertThat(first.eventTypes()).containsExactly("channel_occupied", "member_added");
        assertThat(first.headers()).containsEntry("X-Team", "blue").containsEntry("Authorization", "Bearer t");
        assertThat(first.wants("member_added", "presence-lobby-room")).isTrue();
        assertThat(first.wants("member_added", "presence-lobby")).isFalse();
        assertThat(first.wants("client_event", "presence-lobby-room")).isFalse();
        Webhook second = webhooks.get(1);
        assertThat(second.wants("client_event", "private-team-chat")).isTrue();
        assertThat(second.wants("client_event", "private-team1-chat")).as("the pattern").isFalse();
        assertThat(warnings()).isEmpty();
    }

    @Test
    void anEmptyEventTypeListGetsNothingAndIsWarnedAbout() throws IOException {
        Webhook webhook = webhooksOf("[{\"url\": \"https://h.example.com\", \"event_types\": []}]").get(0);
        assertThat(webhook.wants("channel_occupied", "x")).isFalse();
        assertThat(warnings()).anyMatch(w -> w.contains("webhooks[0].event_types is empty"));
    }

    @Test
    void mistakesStopStartupNamingTheKey() throws IOException {
        String at = "app_manager.array.apps[0].webhooks[0]";
        assertThat(errorFor(app("[{\"event_types\": [\"channel_occupied\"]}]")))
                .startsWith(at + ".url: expected a non-empty string, got nothing");
        assertThat(errorFor(app("[{\"url\": \"ftp://h.example.com\", \"event_types\": [\"channel_occupied\"]}]")))
                .startsWith(at + ".url: expected an http:// or https:// URL, got 'ftp://h.example.com'");
        assertThat(errorFor(app("[{\"url\": \"https://h.example.com\"}]")))
                .startsWith(at + ".event_types: required, the list of events this webhook wants");
        assertThat(errorFor(app("[{\"url\": \"https://h.example.com\", \"event_types\": [\"chanel_occupied\"]}]")))
                .startsWith(at + ".event_types[0]: expected one of channel_occupied, channel_vacated,")
                .contains("got 'chanel_occupied'");
        assertThat(errorFor(app("[{\"lambda_function\": \"f\", \"event_types\": [\"channel_occupied\"]}]")))
                .startsWith(at + ": AWS Lambda webhooks are not supported by Herald; give an HTTP(S) url");
        assertThat(errorFor(app("[{\"url\": \"https://h.example.com\", \"event_types\": [\"client_event\"],"
                + " \"filter\": {\"channel_namespace\": \"chat\"}}]")))
                .startsWith(at + ".filter.channel_namespace: namespace filters are not supported by Herald");
        assertThat(errorFor(app("[{\"url\": \"https://h.example.com\", \"event_types\": [\"client_event\"],"
                + " \"filter\": {\"channel_pattern\": \"([a-z\"}}]")))
                .startsWith(at + ".filter.channel_pattern: expected a regular expression, got '([a-z'");
        assertThat(errorFor(app("[{\"url\": \"https://h.example.com\", \"event_types\": [\"client_event\"],"
                + " \"filter\": {\"channel_prefix\": \"a-\", \"channel_name_starts_with\": \"b-\"}}]")))
                .startsWith(at + ".filter: channel_name_starts_with and channel_prefix are the same filter; give one");
        assertThat(errorFor(app("[{\"url\": \"https://h.example.com\", \"event_types\": [\"client_event\"],"
                + " \"headers\": {\"X-Pusher-Signature\": \"forged\"}}]")))
                .startsWith(at + ".headers.X-Pusher-Signature: the server sets this header itself; it cannot be configured");
        assertThat(errorFor(app("[{\"url\": \"https://h.example.com\", \"event_types\": [\"client_event\"],"
                + " \"headers\": {\"X-Evil\": \"a\\r\\nInjected: yes\"}}]")))
                .startsWith(at + ".headers.X-Evil: expected a header value on one line");
        assertThat(errorFor(app("{\"url\": \"https://h.example.com\"}")))
                .startsWith("app_manager.array.apps[0].webhooks: expected a list of webhooks, got an object");
    }

    @Test
    void sockudosPerWebhookKeysAndLambdaBesideAUrlAreWarnedAbout() throws IOException {
        webhooksOf("[{\"url\": \"https://h.example.com\", \"event_types\": [\"client_event\"], \"retry\": {\"enabled\": false},"
                + " \"request_timeout_ms\": 100, \"lambda\": {\"function_name\": \"f\"}, \"colour\": \"red\"}]");
        assertThat(warnings())
                .anyMatch(w -> w.contains("webhooks[0].retry.enabled' ignored") && w.contains("the same timeout and retries"))
                .anyMatch(w -> w.contains("webhooks[0].request_timeout_ms' ignored"))
                .anyMatch(w -> w.contains("webhooks[0].lambda.function_name' ignored") && w.contains("the url is used"))
                .anyMatch(w -> w.contains("Unknown configuration key 'app_manager.array.apps[0].webhooks[0].colour'"));
    }

    @Test
    void queueAndWebhooksDefaults() throws IOException {
        HeraldConfig c = loadJson("{}");
        assertThat(c.queue()).isEqualTo(HeraldConfig.QueueConfig.memory());
        assertThat(c.webhooks()).isEqualTo(HeraldConfig.WebhooksConfig.defaults());
        assertThat(c.queue().concurrency()).isEqualTo(5);
        assertThat(c.queue().prefix()).isEqualTo("sockudo_queue:");
        assertThat(c.webhooks().requestTimeoutMillis()).isEqualTo(10_000);
        assertThat(c.webhooks().retryWindowSeconds()).isEqualTo(300);
    }

    @Test
    void theSeedsQueueBlockAndSockudosVariables() throws IOException {
        HeraldConfig file = loadJson("""
                {"queue": {"driver": "redis", "redis": {"concurrency": 5, "prefix": "sockudo_queue:",
                  "url_override": "redis://queue-redis.example.com:6379"}},
                 "webhooks": {"batching": {"enabled": true, "duration": 250, "size": 20}, "request_timeout_ms": 4000,
                  "retry_window_seconds": 60}}
                """);
        assertThat(file.queue()).isEqualTo(new HeraldConfig.QueueConfig("redis", 5, "redis://queue-redis.example.com:6379",
                List.of("redis://127.0.0.1:7000"), "sockudo_queue:", 5000, 30, 100_000));
        assertThat(file.webhooks()).isEqualTo(new HeraldConfig.WebhooksConfig(true, 250, 20, 4000, 60));

        HeraldConfig env = load("{}", Map.of("QUEUE_DRIVER", "redis", "REDIS_URL", "redis://r:6380/1",
                "QUEUE_REDIS_CONCURRENCY", "9", "QUEUE_REDIS_PREFIX", "q:", "QUEUE_REDIS_RESPONSE_TIMEOUT_MS", "700",
                "WEBHOOK_BATCHING_ENABLED", "true", "WEBHOOK_BATCHING_DURATION", "75", "WEBHOOK_BATCHING_SIZE", "7"));
        assertThat(env.queue()).isEqualTo(new HeraldConfig.QueueConfig("redis", 9, "redis://r:6380/1",
                List.of("redis://127.0.0.1:7000"), "q:", 700, 30, 100_000));
        assertThat(env.webhooks()).isEqualTo(new HeraldConfig.WebhooksConfig(true, 75, 7, 10_000, 300));
    }

    @Test
    void redisClusterQueueTakesItsNodesFromItsBlockTheVariableOrTheAdapter() throws IOException {
        HeraldConfig own = loadJson("""
                {"queue": {"driver": "redis-cluster", "redis_cluster": {"nodes": ["redis://c1:7000"], "concurrency": 3,
                  "prefix": "qc:", "request_timeout_ms": 900}, "lease_seconds": 10, "max_jobs": 50}}
                """);
        assertThat(own.queue()).isEqualTo(new HeraldConfig.QueueConfig("redis-cluster", 3, "redis://127.0.0.1:6379/0",
                List.of("redis://c1:7000"), "qc:", 900, 10, 50));
        assertThat(load("{\"queue\": {\"driver\": \"redis-cluster\"}}", Map.of("REDIS_CLUSTER_NODES", "redis://e1:1,redis://e2:2"))
                .queue().clusterNodes()).containsExactly("redis://e1:1", "redis://e2:2");
        assertThat(loadJson("{\"queue\": {\"driver\": \"redis-cluster\"}, \"adapter\": {\"cluster\": {\"nodes\": [\"redis://a1:7001\"]}}}")
                .queue().clusterNodes()).containsExactly("redis://a1:7001");
        HeraldConfig clusterMode = loadJson("""
                {"queue": {"driver": "redis", "redis": {"cluster_mode": true, "url_override": "redis://seed:7000"}}}
                """);
        assertThat(clusterMode.queue().driver()).isEqualTo("redis-cluster");
        assertThat(clusterMode.queue().clusterNodes()).containsExactly("redis://seed:7000");
    }

    @Test
    void queueDriversOfSockudoThatHeraldLacksAreRefusedByName() throws IOException {
        assertThat(errorFor("{\"queue\": {\"driver\": \"sqs\"}}"))
                .startsWith("queue.driver: 'sqs' is a Sockudo driver that Herald does not have (Herald has: memory, redis,"
                        + " redis-cluster, none)");
        assertThat(errorFor("{\"queue\": {\"driver\": \"rabbit\"}}")).startsWith("queue.driver: expected one of memory, redis,");
        assertThat(errorFor("{\"webhooks\": {\"batching\": {\"duration\": 0}}}"))
                .startsWith("webhooks.batching.duration: expected an integer between 1 and 60000, got 0");
        assertThat(loadJson("{\"queue\": {\"driver\": \"none\"}}").queue().driver()).isEqualTo("none");
    }

    @Test
    void queueReliabilityIsWarnedAbout() throws IOException {
        loadJson("{\"queue\": {\"reliability\": {\"max_attempts\": 5}}}");
        assertThat(warnings()).anyMatch(w -> w.startsWith("Ignored setting queue.reliability.max_attempts: Herald's webhook"
                + " retries are its own"));
    }

    @Test
    void theDefaultAppsWebhooksComeFromItsVariable() throws IOException {
        HeraldConfig c = load("{}", Map.of("SOCKUDO_DEFAULT_APP_WEBHOOKS",
                "[{\"url\": \"https://h.example.com/x\", \"event_types\": [\"cache_miss\"]}]"));
        assertThat(TestServers.configuredApps(c).get(0).webhooks()).containsExactly(Webhook.to("https://h.example.com/x", "cache_miss"));
        try {
            load("{}", Map.of("SOCKUDO_DEFAULT_APP_WEBHOOKS", "[{\"url\": \"https://h.example.com/x\"}]"));
            throw new AssertionError("expected a ConfigException");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith("SOCKUDO_DEFAULT_APP_WEBHOOKS[0].event_types: required");
        }
    }
}
