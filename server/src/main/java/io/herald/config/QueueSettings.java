package io.herald.config;

import java.util.List;

/** {@code queue.*} (where webhook jobs wait) and {@code webhooks.*} (how they are sent). */
final class QueueSettings {

    static final List<String> DRIVERS = List.of("memory", "redis", "redis-cluster", "none");
    /** Sockudo's queue drivers; those Herald does not have are refused by name. */
    static final List<String> SOCKUDO_DRIVERS = List.of("memory", "redis", "redis-cluster", "none", "nats", "pulsar",
            "rabbitmq", "rabbit-mq", "google-pubsub", "gcp-pubsub", "pubsub", "kafka", "iggy", "apache-iggy", "apache_iggy",
            "sqs", "sns");

    private QueueSettings() {}

    /**
     * The chosen driver's block ({@code queue.redis} or {@code queue.redis_cluster}), with
     * Sockudo's defaults and variables. {@code queue.redis.cluster_mode} makes the redis driver's
     * URL a seed of a Redis Cluster.
     */
    static HeraldConfig.QueueConfig queue(ConfigTree tree) {
        String driver = tree.driver("queue.driver", "QUEUE_DRIVER", "memory", SOCKUDO_DRIVERS, DRIVERS);
        HeraldConfig.QueueConfig defaults = HeraldConfig.QueueConfig.memory();
        String url = RedisSettings.url(tree, "queue.redis.url_override");
        boolean clusterMode = driver.equals("redis") && tree.bool("queue.redis.cluster_mode", null, false);
        boolean clusterBlock = driver.equals("redis-cluster");
        String block = clusterBlock ? "queue.redis_cluster" : "queue.redis";
        return new HeraldConfig.QueueConfig(clusterMode ? "redis-cluster" : driver,
                tree.integer(block + ".concurrency", clusterBlock ? "REDIS_CLUSTER_QUEUE_CONCURRENCY" : "QUEUE_REDIS_CONCURRENCY",
                        defaults.concurrency(), 1, 1000),
                url,
                clusterMode ? List.of(url) : RedisSettings.clusterNodes(tree, "queue.redis_cluster.nodes"),
                tree.string(block + ".prefix", clusterBlock ? "REDIS_CLUSTER_QUEUE_PREFIX" : "QUEUE_REDIS_PREFIX",
                        defaults.prefix()),
                tree.integer(clusterBlock ? "queue.redis_cluster.request_timeout_ms" : "queue.redis.response_timeout_ms",
                        clusterBlock ? "REDIS_CLUSTER_QUEUE_REQUEST_TIMEOUT_MS" : "QUEUE_REDIS_RESPONSE_TIMEOUT_MS",
                        defaults.commandTimeoutMillis(), 1, 600_000),
                tree.integer("queue.lease_seconds", null, defaults.leaseSeconds(), 1, 86_400),
                tree.integer("queue.max_jobs", null, defaults.maxJobs(), 1, 100_000_000));
    }

    /**
     * {@code webhooks.*}. The retry window is Herald's {@code webhooks.retry_window_seconds} or
     * Sockudo's {@code webhooks.retry.max_elapsed_time_ms}, not both.
     */
    static HeraldConfig.WebhooksConfig webhooks(ConfigTree tree) {
        HeraldConfig.WebhooksConfig defaults = HeraldConfig.WebhooksConfig.defaults();
        int retryWindow = tree.integer("webhooks.retry_window_seconds", null, defaults.retryWindowSeconds(), 1, 86_400);
        if (tree.node("webhooks.retry.max_elapsed_time_ms") != null) {
            if (tree.node("webhooks.retry_window_seconds") != null) {
                throw new ConfigException("webhooks.retry_window_seconds and webhooks.retry.max_elapsed_time_ms both set the"
                        + " retry window; give one").in(tree.sourceOf("webhooks.retry.max_elapsed_time_ms"));
            }
            int millis = tree.integer("webhooks.retry.max_elapsed_time_ms", null, 0, 1000, 86_400_000);
            retryWindow = (millis + 999) / 1000;
        }
        return new HeraldConfig.WebhooksConfig(
                tree.bool("webhooks.batching.enabled", "WEBHOOK_BATCHING_ENABLED", defaults.batching()),
                tree.integer("webhooks.batching.duration", "WEBHOOK_BATCHING_DURATION", defaults.batchingDurationMillis(), 1,
                        60_000),
                tree.integer("webhooks.batching.size", "WEBHOOK_BATCHING_SIZE", defaults.batchingSize(), 1, 10_000),
                tree.integer("webhooks.request_timeout_ms", null, defaults.requestTimeoutMillis(), 1, 600_000),
                retryWindow);
    }
}
