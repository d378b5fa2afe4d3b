package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.wire.Jsons;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Fuzzing the configuration loader with arbitrary files and environments: raw text, or JSON
 * whose keys are Herald's and Sockudo's (apps and webhooks included) with values of any type.
 * Property: it returns a configuration or throws {@link ConfigException} (the operator's error,
 * printed as one line); any other exception is a crash. The corpus is under
 * src/test/resources/io/herald/config/ConfigLoaderFuzzTestInputs.
 */
@Isolated("Jazzer's hooks report findings while a fuzz test runs; nothing else may run then")
class ConfigLoaderFuzzTest {
    private static final List<String> KEYS = List.of("debug", "host", "port", "activity_timeout", "pong_timeout",
            "shutdown_grace_period", "user_authentication_timeout", "websocket_max_payload_kb", "http_max_body_kb",
            "max_channels_per_connection", "http_request_timeout", "http_idle_timeout", "instance.process_id",
            "adapter.driver", "adapter.redis.prefix", "adapter.redis.requests_timeout", "adapter.redis.cluster_mode",
            "adapter.redis.redis_pub_options.url", "adapter.cluster.nodes", "adapter.nats.servers", "adapter.nats.token",
            "adapter.nats.tls_ca_path", "app_manager.driver", "app_manager.array.apps", "app_manager.cache.ttl",
            "cache.driver", "cache.memory.ttl", "cache.redis.url_override", "cache.redis_cluster.nodes", "ssl.enabled",
            "ssl.cert_path", "ssl.http_port", "cors.origin", "rate_limiter.enabled", "rate_limiter.driver",
            "rate_limiter.api_rate_limit.max_requests", "queue.driver", "queue.max_jobs", "queue.redis.concurrency",
            "webhooks.batching.enabled", "webhooks.batching.size", "logging.format", "database.redis.host",
            "database.redis.port", "database.redis.password", "database.redis.db", "database.redis.master_tls.ca_path",
            "database.mysql.table_name", "database.postgres.port", "metrics.enabled", "metrics.prometheus.prefix",
            "health_check.interval", "unknown.key");
    private static final List<String> APP_FIELDS = List.of("id", "key", "secret", "enabled", "max_connections",
            "enable_client_messages", "max_client_events_per_second", "max_presence_members_per_channel", "allowed_origins",
            "webhooks", "max_event_payload_in_kb", "enable_user_authentication");
    private static final List<String> WEBHOOK_FIELDS = List.of("url", "event_types", "filter", "headers", "lambda", "retry");
    private static final List<String> VARIABLES = List.of("PORT", "HOST", "DEBUG", "ADAPTER_DRIVER", "REDIS_URL",
            "NATS_SERVERS", "NATS_URL", "NATS_TOKEN", "CACHE_DRIVER", "QUEUE_DRIVER", "APP_MANAGER_DRIVER",
            "SOCKUDO_DEFAULT_APP_ID", "SOCKUDO_DEFAULT_APP_KEY", "SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES",
            "REDIS_CLUSTER_NODES", "METRICS_PORT", "LOG_FORMAT", "DATABASE_REDIS_MASTER_TLS_CA_PATH", "RATE_LIMITER_DRIVER",
            "SSL_ENABLED", "MAX_CHANNELS_PER_CONNECTION", "UNSET_VAR");

    @FuzzTest(maxDuration = "3m")
    void load(FuzzedDataProvider data) throws Exception {
        Map<String, String> env = new HashMap<>();
        int variables = data.consumeInt(0, 4);
        for (int i = 0; i < variables; i++) {
            env.put(data.pickValue(VARIABLES), data.consumeString(40));
        }
        String text = data.consumeBoolean() ? json(data).toString() : data.consumeRemainingAsString();
        Path dir = Files.createTempDirectory("herald-fuzz");
        Path file = dir.resolve("config.json");
        try {
            Files.writeString(file, text);
            try {
                assertThat(ConfigLoader.load(file, env, dir)).isNotNull();
            } catch (ConfigException operatorError) {
                assertThat(operatorError.getMessage()).isNotBlank();
            }
            try {
                assertThat(ConfigLoader.logFormat(file, env, dir)).isIn(ConfigLoader.LOG_FORMATS);
            } catch (ConfigException operatorError) {
                assertThat(operatorError.getMessage()).isNotBlank();
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private static ObjectNode json(FuzzedDataProvider data) {
        ObjectNode root = Jsons.MAPPER.createObjectNode();
        int keys = data.consumeInt(1, 8);
        for (int i = 0; i < keys; i++) {
            String[] path = data.pickValue(KEYS).split("\\.");
            ObjectNode parent = root;
            for (int p = 0; p < path.length - 1; p++) {
                parent = parent.get(path[p]) instanceof ObjectNode existing ? existing : parent.putObject(path[p]);
            }
            String last = path[path.length - 1];
            if (last.equals("apps")) {
                var apps = parent.putArray(last);
                for (int a = data.consumeInt(0, 2); a > 0; a--) {
                    apps.add(record(data, APP_FIELDS));
                }
            } else {
                value(data, parent, last);
            }
        }
        return root;
    }

    private static ObjectNode record(FuzzedDataProvider data, List<String> fields) {
        ObjectNode record = Jsons.MAPPER.createObjectNode();
        for (int f = data.consumeInt(0, fields.size()); f > 0; f--) {
            String field = data.pickValue(fields);
            if (field.equals("webhooks")) {
                var hooks = record.putArray(field);
                for (int h = data.consumeInt(0, 2); h > 0; h--) {
                    hooks.add(record(data, WEBHOOK_FIELDS));
                }
            } else {
                value(data, record, field);
            }
        }
        return record;
    }

    /** A value of any JSON type, typed like the key expects about half of the time. */
    private static void value(FuzzedDataProvider data, ObjectNode parent, String name) {
        switch (data.consumeInt(0, 6)) {
            case 0 -> parent.put(name, data.consumeString(60));
            case 1 -> parent.put(name, data.consumeInt());
            case 2 -> parent.put(name, data.consumeBoolean());
            case 3 -> parent.putNull(name);
            case 4 -> parent.putArray(name).add(data.consumeString(40)).add(data.consumeLong());
            case 5 -> parent.putObject(name).put(data.consumeString(10), data.consumeString(20))
                    .put("channel_pattern", data.consumeString(20)).putArray("event_types").add("member_added");
            default -> parent.put(name, data.consumeDouble());
        }
    }
}
