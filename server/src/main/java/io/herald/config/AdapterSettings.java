package io.herald.config;

import java.util.List;

/** {@code adapter.*}: the chosen cluster driver's block, with Sockudo's defaults and variables. */
final class AdapterSettings {

    static final List<String> DRIVERS = List.of("local", "redis", "redis-cluster", "nats");
    /** Sockudo's drivers; those Herald does not have are refused by name. */
    static final List<String> SOCKUDO_DRIVERS = List.of("local", "redis", "redis-cluster", "nats", "pulsar", "rabbitmq",
            "rabbit-mq", "google-pubsub", "gcp-pubsub", "pubsub", "kafka", "iggy", "apache-iggy", "apache_iggy");

    private AdapterSettings() {}

    static HeraldConfig.AdapterConfig read(ConfigTree tree) {
        String driver = tree.driver("adapter.driver", "ADAPTER_DRIVER", "local", SOCKUDO_DRIVERS, DRIVERS);
        return switch (driver) {
            case "redis" -> redis(tree);
            case "redis-cluster" -> new HeraldConfig.AdapterConfig.RedisCluster(
                    RedisSettings.clusterNodes(tree, null),
                    tree.string("adapter.cluster.prefix", null, "sockudo_cluster:"),
                    tree.integer("adapter.cluster.request_timeout_ms", null, 5000, 1, 600_000));
            case "nats" -> nats(tree);
            default -> new HeraldConfig.AdapterConfig.Local();
        };
    }

    private static HeraldConfig.AdapterConfig redis(ConfigTree tree) {
        String publish = RedisSettings.url(tree, "adapter.redis.redis_pub_options.url");
        String subscribe = RedisSettings.url(tree, "adapter.redis.redis_sub_options.url");
        String prefix = tree.string("adapter.redis.prefix", null, "sockudo_adapter:");
        int timeout = tree.integer("adapter.redis.requests_timeout", null, 5000, 1, 600_000);
        // cluster_mode: the same URLs are seeds of a Redis Cluster.
        return tree.bool("adapter.redis.cluster_mode", null, false)
                ? new HeraldConfig.AdapterConfig.RedisCluster(List.of(publish, subscribe).stream().distinct().toList(), prefix,
                        timeout)
                : new HeraldConfig.AdapterConfig.Redis(publish, subscribe, prefix, timeout);
    }

    /** {@code NATS_SERVERS} (comma-separated) wins; the scaling guide's single {@code NATS_URL} comes next. */
    private static HeraldConfig.AdapterConfig nats(ConfigTree tree) {
        List<String> servers = tree.stringList("adapter.nats.servers", "NATS_SERVERS", List.of("nats://127.0.0.1:4222"));
        String single = tree.env("NATS_URL");
        if (single != null && tree.env("NATS_SERVERS") == null && !single.isBlank()) {
            servers = List.of(single.trim());
        }
        return new HeraldConfig.AdapterConfig.Nats(servers,
                tree.string("adapter.nats.prefix", "NATS_PREFIX", "sockudo_nats:"),
                tree.integer("adapter.nats.request_timeout_ms", "NATS_REQUEST_TIMEOUT_MS", 5000, 1, 600_000),
                tree.integer("adapter.nats.connection_timeout_ms", "NATS_CONNECTION_TIMEOUT_MS", 5000, 1, 600_000),
                tree.string("adapter.nats.username", "NATS_USERNAME", null),
                tree.optionalString("adapter.nats.password", "NATS_PASSWORD"),
                tree.string("adapter.nats.token", "NATS_TOKEN", null),
                ConfigLoader.trustedCa(tree, "adapter.nats.tls_ca_path", "NATS_TLS_CA_PATH"));
    }
}
