package io.herald.config;

import static io.herald.config.ConfigKeys.*;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every environment variable Herald knows: each one Sockudo 5 reads (its options, its logging,
 * its push workers) with what Herald does with it, and Herald's own. A set variable that Herald
 * ignores is warned about with the reason; a refused one stops start-up; one that looks like a
 * misspelling of a known variable is warned about with that variable.
 */
final class ConfigVariables {

    private static final String LOG_FILTERS = "Herald's log level is set by debug / DEBUG; a Rust log filter means nothing to it";

    /**
     * Common variables of other programs that Sockudo happens to read too (its iggy consumer name,
     * its DynamoDB and Google credentials): set for other reasons on most machines, so never
     * warned about.
     */
    static final Set<String> NOT_READ = Set.of("HOSTNAME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
            "GOOGLE_APPLICATION_CREDENTIALS", "PUBSUB_EMULATOR_HOST");

    private static final Map<String, KnownKey.Leaf> VARIABLES = new Catalog()
            .read("DEBUG", "DEBUG_MODE", "HOST", "PORT", "ACTIVITY_TIMEOUT", "SHUTDOWN_GRACE_PERIOD",
                    "USER_AUTHENTICATION_TIMEOUT", "WEBSOCKET_MAX_PAYLOAD_KB", "SOCKUDO_MAX_CONNECTIONS", "INSTANCE_PROCESS_ID",
                    "PONG_TIMEOUT", "HTTP_MAX_BODY_KB", "LOG_FORMAT", "LOG_OUTPUT_FORMAT", "HTTP_API_USAGE_ENABLED",
                    "MAX_CHANNELS_PER_CONNECTION", "HTTP_REQUEST_TIMEOUT", "HTTP_IDLE_TIMEOUT", "IO_TRANSPORT", "STARTUP_WARM_UP",
                    "HEALTH_CHECK_ENABLED",
                    "HEALTH_CHECK_INTERVAL", "HEALTH_CHECK_TIMEOUT", "NATS_TLS_CA_PATH", "DATABASE_REDIS_MASTER_TLS_CA_PATH")
            .ignored(NO_MODE, "ENVIRONMENT")
            .ignoredUnless("default", NO_API_ROLE, "SOCKUDO_SERVER_ROLE")
            .read("HEALTH_CHECK_TIMEOUT_MS")
            .ignored(LOG_LOOK, "LOG_COLORS_ENABLED", "LOG_INCLUDE_TARGET")
            .ignored(LOG_FILTERS, "RUST_LOG", "SOCKUDO_LOG_DEBUG", "SOCKUDO_LOG_PROD")
            // drivers and shared backends
            .read("ADAPTER_DRIVER", "APP_MANAGER_DRIVER", "CACHE_DRIVER", "QUEUE_DRIVER", "RATE_LIMITER_DRIVER",
                    "REDIS_URL", "REDIS_CLUSTER_NODES", "DATABASE_REDIS_CLUSTER_NODES")
            .ignored(LOCAL_BUFFERS, "ADAPTER_BUFFER_MULTIPLIER_PER_CPU")
            .ignoredUnless("true", ALWAYS_COUNTS, "ADAPTER_ENABLE_SOCKET_COUNTING")
            .ignoredUnless("false", NO_FALLBACK, "ADAPTER_FALLBACK_TO_LOCAL")
            .ignoredUnless("false", QUERIES_ASK_NODES, "ADAPTER_AGGREGATE_COUNTS")
            .ignoredUnless("false", PRESENCE_AT_ONCE, "ADAPTER_FAST_PRESENCE_TRANSITIONS")
            .ignored(UNUSED_CLUSTER_HEALTH, "CLUSTER_HEALTH_ENABLED", "CLUSTER_HEALTH_HEARTBEAT_INTERVAL",
                    "CLUSTER_HEALTH_NODE_TIMEOUT", "CLUSTER_HEALTH_CLEANUP_INTERVAL")
            .read("NATS_URL", "NATS_SERVERS", "NATS_PREFIX", "NATS_REQUEST_TIMEOUT_MS", "NATS_USERNAME", "NATS_PASSWORD",
                    "NATS_TOKEN", "NATS_CONNECTION_TIMEOUT_MS")
            .ignored(NATS_TUNING, "NATS_NODES_NUMBER", "NATS_DISCOVERY_MAX_WAIT_MS", "NATS_DISCOVERY_IDLE_WAIT_MS",
                    "NATS_SUBSCRIPTION_CAPACITY", "NATS_CLIENT_CAPACITY", "NATS_MAX_RECONNECTS", "NATS_PRESENCE_SYNC_CHUNK_SIZE",
                    "NATS_NO_ECHO")
            .ignored(NO_DRIVER, "PULSAR_URL", "PULSAR_PREFIX", "PULSAR_REQUEST_TIMEOUT_MS", "PULSAR_TOKEN",
                    "PULSAR_NODES_NUMBER", "RABBITMQ_URL", "RABBITMQ_PREFIX", "RABBITMQ_REQUEST_TIMEOUT_MS",
                    "RABBITMQ_CONNECTION_TIMEOUT_MS", "RABBITMQ_NODES_NUMBER", "GOOGLE_PUBSUB_PROJECT_ID", "GOOGLE_PUBSUB_PREFIX",
                    "GOOGLE_PUBSUB_REQUEST_TIMEOUT_MS", "GOOGLE_PUBSUB_NODES_NUMBER", "KAFKA_BROKERS", "KAFKA_PREFIX",
                    "KAFKA_REQUEST_TIMEOUT_MS", "KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME",
                    "KAFKA_SASL_PASSWORD", "KAFKA_NODES_NUMBER", "IGGY_CONNECTION_STRING", "IGGY_USERNAME", "IGGY_PASSWORD",
                    "IGGY_CONSUMER_NAME", "IGGY_STREAM", "IGGY_TOPIC_PREFIX", "IGGY_QUEUE_TOPIC_PREFIX",
                    "IGGY_CONSUMER_GROUP_PREFIX", "IGGY_REQUEST_TIMEOUT_MS", "IGGY_POLL_INTERVAL_MS", "IGGY_POLL_BATCH_SIZE",
                    "IGGY_PARTITIONS_COUNT", "IGGY_PARTITION_ID", "IGGY_AUTO_CREATE", "IGGY_START_FROM_LATEST",
                    "IGGY_NODES_NUMBER", "ADAPTER_IGGY_PARTITIONS_COUNT", "ADAPTER_IGGY_PARTITION_ID",
                    "QUEUE_IGGY_PARTITIONS_COUNT", "QUEUE_IGGY_PARTITION_ID", "QUEUE_SQS_REGION", "QUEUE_SQS_VISIBILITY_TIMEOUT",
                    "QUEUE_SQS_ENDPOINT_URL", "QUEUE_SQS_MAX_MESSAGES", "QUEUE_SQS_WAIT_TIME_SECONDS", "QUEUE_SQS_CONCURRENCY",
                    "QUEUE_SQS_FIFO", "QUEUE_SNS_REGION", "QUEUE_SNS_TOPIC_ARN", "QUEUE_SNS_ENDPOINT_URL")
            // apps and databases
            .read("DATABASE_MYSQL_HOST", "DATABASE_MYSQL_PORT", "DATABASE_MYSQL_USERNAME", "DATABASE_MYSQL_PASSWORD",
                    "DATABASE_MYSQL_DATABASE", "DATABASE_MYSQL_TABLE_NAME", "DATABASE_POSTGRES_HOST", "DATABASE_POSTGRES_PORT",
                    "DATABASE_POSTGRES_USERNAME", "DATABASE_POSTGRES_PASSWORD", "DATABASE_POSTGRES_DATABASE",
                    "DATABASE_POSTGRES_TABLE_NAME", "DATABASE_CONNECTION_POOL_SIZE", "CACHE_TTL_SECONDS", "CACHE_MAX_CAPACITY")
            .ignored(SQL_POOL, "DATABASE_MYSQL_POOL_MIN", "DATABASE_MYSQL_POOL_MAX", "DATABASE_POSTGRES_POOL_MIN",
                    "DATABASE_POSTGRES_POOL_MAX")
            .ignored(NO_POOLING, "DATABASE_POOLING_ENABLED", "DATABASE_POOL_MIN", "DATABASE_POOL_MAX")
            .ignored(CACHE_SWEEP, "CACHE_CLEANUP_INTERVAL")
            .ignored(NO_OTHER_DATABASES, "DATABASE_DYNAMODB_REGION", "DATABASE_DYNAMODB_TABLE_NAME",
                    "DATABASE_DYNAMODB_ENDPOINT_URL", "DATABASE_SURREALDB_URL", "DATABASE_SURREALDB_NAMESPACE",
                    "DATABASE_SURREALDB_DATABASE", "DATABASE_SURREALDB_USERNAME", "DATABASE_SURREALDB_PASSWORD",
                    "DATABASE_SURREALDB_TABLE_NAME")
            .read("DATABASE_REDIS_HOST", "DATABASE_REDIS_PORT", "DATABASE_REDIS_DB", "DATABASE_REDIS_USERNAME",
                    "DATABASE_REDIS_PASSWORD", "DATABASE_REDIS_MASTER_TLS_ENABLED", "DATABASE_REDIS_CLUSTER_USERNAME",
                    "DATABASE_REDIS_CLUSTER_PASSWORD", "DATABASE_REDIS_CLUSTER_USE_TLS")
            .ignored(KEY_PREFIX, "DATABASE_REDIS_KEY_PREFIX")
            .ignored(SENTINEL_ONLY, "DATABASE_REDIS_SENTINEL_PASSWORD", "DATABASE_REDIS_SENTINEL_USERNAME",
                    "DATABASE_REDIS_SENTINEL_TLS_CA_PATH", "DATABASE_REDIS_SENTINEL_TLS_CLIENT_CERT_PATH",
                    "DATABASE_REDIS_SENTINEL_TLS_CLIENT_KEY_PATH")
            .ignoredUnless("false", SENTINEL_ONLY, "DATABASE_REDIS_SENTINEL_TLS_ENABLED",
                    "DATABASE_REDIS_SENTINEL_TLS_ACCEPT_INVALID_CERTS")
            .refusedUnless("false", REDIS_TLS_TRUST, "DATABASE_REDIS_MASTER_TLS_ACCEPT_INVALID_CERTS")
            .refused(REDIS_TLS_TRUST, "DATABASE_REDIS_MASTER_TLS_CLIENT_CERT_PATH", "DATABASE_REDIS_MASTER_TLS_CLIENT_KEY_PATH")
            .read("SOCKUDO_DEFAULT_APP_ID", "SOCKUDO_DEFAULT_APP_KEY", "SOCKUDO_DEFAULT_APP_SECRET",
                    "SOCKUDO_DEFAULT_APP_ENABLED", "SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES", "SOCKUDO_ENABLE_CLIENT_MESSAGES",
                    "SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS", "SOCKUDO_DEFAULT_APP_MAX_BACKEND_EVENTS_PER_SECOND",
                    "SOCKUDO_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SECOND", "SOCKUDO_DEFAULT_APP_MAX_READ_REQUESTS_PER_SECOND",
                    "SOCKUDO_DEFAULT_APP_MAX_PRESENCE_MEMBERS_PER_CHANNEL", "SOCKUDO_DEFAULT_APP_MAX_PRESENCE_MEMBER_SIZE_IN_KB",
                    "SOCKUDO_DEFAULT_APP_MAX_CHANNEL_NAME_LENGTH", "SOCKUDO_DEFAULT_APP_MAX_EVENT_CHANNELS_AT_ONCE",
                    "SOCKUDO_DEFAULT_APP_MAX_EVENT_NAME_LENGTH", "SOCKUDO_DEFAULT_APP_MAX_EVENT_PAYLOAD_IN_KB",
                    "SOCKUDO_DEFAULT_APP_MAX_EVENT_BATCH_SIZE", "SOCKUDO_DEFAULT_APP_ENABLE_USER_AUTHENTICATION",
                    "SOCKUDO_DEFAULT_APP_ENABLE_WATCHLIST_EVENTS", "SOCKUDO_DEFAULT_APP_ALLOWED_ORIGINS",
                    "SOCKUDO_DEFAULT_APP_WEBHOOKS", "SOCKUDO_SKIP_INLINE_APPS", "APP_MANAGER_REGISTER_INLINE_APPS")
            .ignoredUnless("false", NO_ANNOTATIONS, "SOCKUDO_DEFAULT_APP_ANNOTATIONS_ENABLED")
            // edges
            .read("CORS_ORIGINS", "CORS_METHODS", "CORS_HEADERS", "CORS_CREDENTIALS", "SSL_ENABLED", "SSL_CERT_PATH",
                    "SSL_KEY_PATH", "SSL_REDIRECT_HTTP", "SSL_HTTP_PORT", "RATE_LIMITER_ENABLED", "RATE_LIMITER_API_MAX_REQUESTS",
                    "RATE_LIMITER_API_WINDOW_SECONDS", "RATE_LIMITER_API_TRUST_HOPS", "RATE_LIMITER_WS_MAX_REQUESTS",
                    "RATE_LIMITER_WS_WINDOW_SECONDS", "RATE_LIMITER_WS_TRUST_HOPS", "RATE_LIMITER_REDIS_PREFIX")
            .refusedUnless("false", NO_UNIX_SOCKET, "UNIX_SOCKET_ENABLED")
            .ignored(NO_UNIX_SOCKET, "UNIX_SOCKET_PATH", "UNIX_SOCKET_PERMISSION_MODE")
            .ignored(NO_CLEANUP_QUEUE, "CLEANUP_QUEUE_BUFFER_SIZE", "CLEANUP_BATCH_SIZE", "CLEANUP_BATCH_TIMEOUT_MS",
                    "CLEANUP_WORKER_THREADS", "CLEANUP_MAX_RETRY_ATTEMPTS", "CLEANUP_ASYNC_ENABLED", "CLEANUP_FALLBACK_TO_SYNC")
            .ignored(WEBSOCKET_TUNING, "WEBSOCKET_MAX_MESSAGES", "WEBSOCKET_MAX_BYTES", "WEBSOCKET_DISCONNECT_ON_BUFFER_FULL",
                    "WEBSOCKET_MAX_MESSAGE_SIZE", "WEBSOCKET_MAX_FRAME_SIZE", "WEBSOCKET_WRITE_BUFFER_SIZE",
                    "WEBSOCKET_MAX_BACKPRESSURE", "WEBSOCKET_AUTO_PING", "WEBSOCKET_PING_INTERVAL", "WEBSOCKET_IDLE_TIMEOUT")
            .ignoredUnless("disabled", NO_COMPRESSION, "WEBSOCKET_COMPRESSION")
            .read("METRICS_ENABLED", "METRICS_DRIVER", "METRICS_HOST", "METRICS_PORT", "METRICS_PROMETHEUS_PREFIX")
            .ignoredUnless("false", NO_TCP_EXPORTER, "METRICS_TCP_EXPORTER_ENABLED")
            .ignored(NO_TCP_EXPORTER, "METRICS_TCP_EXPORTER_HOST", "METRICS_TCP_EXPORTER_PORT",
                    "METRICS_TCP_EXPORTER_BUFFER_SIZE")
            // webhooks and their queue
            .read("QUEUE_REDIS_CONCURRENCY", "QUEUE_REDIS_PREFIX", "QUEUE_REDIS_RESPONSE_TIMEOUT_MS",
                    "REDIS_CLUSTER_QUEUE_CONCURRENCY", "REDIS_CLUSTER_QUEUE_PREFIX", "REDIS_CLUSTER_QUEUE_REQUEST_TIMEOUT_MS",
                    "WEBHOOK_BATCHING_ENABLED", "WEBHOOK_BATCHING_DURATION", "WEBHOOK_BATCHING_SIZE")
            .ignored(QUEUE_RELIABILITY, "QUEUE_MAX_ATTEMPTS", "QUEUE_RETRY_BASE_DELAY_MS", "QUEUE_RETRY_MAX_DELAY_MS",
                    "QUEUE_RETRY_JITTER", "QUEUE_LEASE_DURATION_MS", "QUEUE_LEASE_RENEW_INTERVAL_MS", "QUEUE_STALLED_BATCH_SIZE",
                    "QUEUE_WORKER_POLL_INTERVAL_MS", "QUEUE_WORKER_PREFETCH", "QUEUE_SHUTDOWN_TIMEOUT_MS",
                    "QUEUE_COMPLETED_RETENTION", "QUEUE_FAILED_RETENTION", "QUEUE_EVENT_RETENTION", "QUEUE_DEDUPLICATION_TTL_MS",
                    "QUEUE_MEMORY_CAPACITY", "QUEUE_MAX_BATCH_SIZE")
            // Sockudo's features that Herald does not have
            .ignored(UNUSED_LIMITS, "PRESENCE_UPDATE_RATE_LIMIT_PER_MEMBER_PER_SECOND")
            .ignored(V2_ONLY, "PRESENCE_V2_UNGRACEFUL_TIMEOUT_SECONDS", "EVENT_NAME_FILTERING_MAX_EVENTS_PER_FILTER",
                    "EVENT_NAME_FILTERING_MAX_EVENT_NAME_LENGTH")
            .ignoredUnless("0", PRESENCE_AT_ONCE, "PRESENCE_UNGRACEFUL_TIMEOUT_SECONDS")
            .ignoredUnless("false", V2_ONLY, "TAG_FILTERING_ENABLED", "EPHEMERAL_ENABLED", "ECHO_CONTROL_ENABLED",
                    "EVENT_NAME_FILTERING_ENABLED")
            .ignoredUnless("true", V2_ONLY, "ECHO_CONTROL_DEFAULT_ECHO_MESSAGES")
            .ignoredUnless("false", NO_IDEMPOTENCY, "IDEMPOTENCY_ENABLED")
            .ignored(NO_IDEMPOTENCY, "IDEMPOTENCY_TTL_SECONDS", "IDEMPOTENCY_MAX_KEY_LENGTH")
            .ignoredUnless("false", NO_RECOVERY, "CONNECTION_RECOVERY_ENABLED")
            .ignored(NO_RECOVERY, "CONNECTION_RECOVERY_BUFFER_TTL", "CONNECTION_RECOVERY_MAX_BUFFER_SIZE")
            .ignoredUnless("false", NO_ANNOTATIONS, "ANNOTATIONS_ENABLED")
            .ignoredUnless("false", NO_HISTORY, "VERSIONED_MESSAGES_ENABLED", "HISTORY_ENABLED", "PRESENCE_HISTORY_ENABLED")
            .ignored(NO_HISTORY, "VERSIONED_MESSAGES_DRIVER", "VERSIONED_MESSAGES_MAX_PAGE_SIZE",
                    "VERSIONED_MESSAGES_RETENTION_WINDOW_SECONDS", "VERSIONED_MESSAGES_PURGE_INTERVAL_SECONDS",
                    "VERSIONED_MESSAGES_PURGE_BATCH_SIZE", "VERSIONED_MESSAGES_MAX_PURGE_PER_TICK", "HISTORY_REWIND_ENABLED",
                    "HISTORY_BACKEND", "HISTORY_RETENTION_WINDOW_SECONDS", "HISTORY_MAX_PAGE_SIZE",
                    "HISTORY_MAX_MESSAGES_PER_CHANNEL", "HISTORY_MAX_BYTES_PER_CHANNEL", "HISTORY_WRITER_SHARDS",
                    "HISTORY_WRITER_QUEUE_CAPACITY", "HISTORY_PURGE_INTERVAL_SECONDS", "HISTORY_PURGE_BATCH_SIZE",
                    "HISTORY_MAX_PURGE_PER_TICK", "HISTORY_POSTGRES_TABLE_PREFIX", "HISTORY_POSTGRES_WRITE_TIMEOUT_MS",
                    "PRESENCE_HISTORY_RETENTION_WINDOW_SECONDS", "PRESENCE_HISTORY_MAX_PAGE_SIZE",
                    "PRESENCE_HISTORY_MAX_EVENTS_PER_CHANNEL", "PRESENCE_HISTORY_MAX_BYTES_PER_CHANNEL")
            .ignoredUnless("false", NO_ABLY, "SOCKUDO_ABLY_COMPAT_ENABLED")
            .ignored(NO_ABLY, "SOCKUDO_ABLY_COMPAT_REALTIME_ADMISSION", "SOCKUDO_ABLY_COMPAT_ATTACH_TIMEOUT_MS",
                    "SOCKUDO_ABLY_COMPAT_KEYS_JSON", "SOCKUDO_ABLY_COMPAT_MAX_TOKEN_TTL_MS",
                    "SOCKUDO_ABLY_COMPAT_TOKEN_REQUEST_TIMESTAMP_SKEW_MS", "SOCKUDO_ABLY_COMPAT_NONCE_TTL_SECONDS",
                    "SOCKUDO_ABLY_COMPAT_STATS_FIXTURE_INGEST_ENABLED", "SOCKUDO_ABLY_COMPAT_STATS_QUEUE_CAPACITY",
                    "SOCKUDO_ABLY_COMPAT_STATS_FLUSH_INTERVAL_MS", "SOCKUDO_ABLY_COMPAT_STATS_RETENTION_SECONDS",
                    "SOCKUDO_ABLY_COMPAT_STATS_MAX_SCAN_ENTRIES", "SOCKUDO_ABLY_COMPAT_STATS_CAS_RETRIES")
            .ignoredUnless("false", NO_AI, "AI_TRANSPORT_ENABLED")
            .ignored(NO_AI, "AI_TRANSPORT_MAX_ACCUMULATED_MESSAGE_BYTES", "AI_TRANSPORT_MAX_APPENDS_PER_MESSAGE",
                    "AI_TRANSPORT_MAX_OPEN_STREAMING_MESSAGES_PER_CHANNEL", "AI_TRANSPORT_ROLLUP_ENABLED",
                    "AI_TRANSPORT_ROLLUP_DEFAULT_WINDOW_MS", "AI_TRANSPORT_ROLLUP_MIN_WINDOW_MS",
                    "AI_TRANSPORT_ROLLUP_MAX_WINDOW_MS", "AI_TRANSPORT_ROLLUP_ORPHAN_TTL_MS", "AI_TRANSPORT_ROLLUP_WHEEL_TICK_MS",
                    "AI_TRANSPORT_ROLLUP_SHARDS")
            .ignored(NO_PUSH, "PUSH_STORAGE_DRIVER", "PUSH_QUEUE_DRIVER", "PUSH_ALLOW_MEMORY_DRIVERS", "PUSH_FCM_ENABLED",
                    "PUSH_APNS_ENABLED", "PUSH_WEBPUSH_ENABLED", "PUSH_HMS_ENABLED", "PUSH_WNS_ENABLED",
                    "PUSH_DISPATCH_MAX_OUTBOUND_REQUESTS", "PUSH_RETRY_WORKER_COUNT", "PUSH_FANOUT_FAST_THRESHOLD",
                    "PUSH_FANOUT_SHARD_SIZE", "PUSH_FANOUT_SYNC_THRESHOLD", "PUSH_BACKPRESSURE_LAG_THRESHOLD_SECS",
                    "PUSH_PUBLISH_STATUS_TTL_DAYS", "PUSH_STALE_DEVICE_MAX_AGE_DAYS", "PUSH_RETRY_MAX_ATTEMPTS",
                    "PUSH_RETRY_INITIAL_BACKOFF_MS", "PUSH_RETRY_MAX_BACKOFF_MS", "PUSH_RETRY_MAX_ELAPSED_SECS",
                    "PUSH_RETRY_JITTER", "PUSH_RETRY_JITTER_RATIO_PERCENT", "PUSH_RETRY_RESPECT_RETRY_AFTER",
                    "PUSH_FAILURE_THRESHOLD", "PUSH_DEFAULT_ACCEPTANCE_RPS", "PUSH_DEFAULT_DELIVERY_QUOTA_DAILY",
                    "PUSH_DEFAULT_FANOUT_MAX", "PUSH_DEFAULT_INFLIGHT_MAX", "PUSH_CREDENTIAL_ENCRYPTION_KEY",
                    "PUSH_ANALYTICS_ENABLED", "PUSH_SCHEDULER_INTERVAL_SECS", "PUSH_REPAIR_INTERVAL_SECS",
                    "PUSH_REPAIR_MIN_AGE_SECS", "PUSH_REPAIR_BATCH_SIZE", "PUSH_CLEANUP_INTERVAL_SECS", "PUSH_CLEANUP_BATCH_SIZE",
                    "PUSH_CLEANUP_MAX_DELETED_PER_TICK",
                    // read by Sockudo's push workers at run time
                    "PUSH_ACCEPTANCE_RATE_LIMIT", "PUSH_FANOUT_MAX", "PUSH_DELIVERY_QUOTA_DAILY",
                    "PUSH_BACKPRESSURE_RETRY_AFTER_SECONDS", "PUSH_PUBLISH_LOG_MAX_LAG", "PUSH_CRITICAL_QUEUE_MAX_LAG",
                    "PUSH_PROVIDER_FCM_CEILING", "PUSH_PROVIDER_APNS_CEILING", "PUSH_PROVIDER_WEBPUSH_CEILING",
                    "PUSH_PROVIDER_HMS_CEILING", "PUSH_PROVIDER_WNS_CEILING", "PUSH_PROVIDER_REALTIME_CEILING",
                    "PUSH_PROVIDER_FCM_DAILY_QUOTA", "PUSH_PROVIDER_APNS_DAILY_QUOTA", "PUSH_PROVIDER_WEBPUSH_DAILY_QUOTA",
                    "PUSH_PROVIDER_HMS_DAILY_QUOTA", "PUSH_PROVIDER_WNS_DAILY_QUOTA", "PUSH_PROVIDER_REALTIME_DAILY_QUOTA",
                    "PUSH_BACKPRESSURE", "PUSH_ALLOW_LOCAL_WEB_PUSH_ENDPOINTS", "PUSH_WEBPUSH_ALLOWED_HOSTS",
                    "PUSH_WEBPUSH_DENIED_HOSTS", "FCM_PROJECT_ID", "PUSH_FCM_PROJECT_ID", "FCM_ENDPOINT", "PUSH_FCM_ENDPOINT",
                    "FCM_APP_ID", "PUSH_FCM_APP_ID", "FCM_CREDENTIAL_ID", "PUSH_FCM_CREDENTIAL_ID", "FCM_PROVIDER_TOKEN",
                    "PUSH_FCM_PROVIDER_TOKEN", "FCM_SERVICE_ACCOUNT_JSON", "PUSH_FCM_SERVICE_ACCOUNT_JSON",
                    "FCM_SERVICE_ACCOUNT_JSON_PATH", "PUSH_FCM_SERVICE_ACCOUNT_JSON_PATH", "APNS_TOPIC", "PUSH_APNS_TOPIC",
                    "APNS_ENDPOINT", "PUSH_APNS_ENDPOINT", "APNS_APP_ID", "PUSH_APNS_APP_ID", "APNS_CREDENTIAL_ID",
                    "PUSH_APNS_CREDENTIAL_ID", "APNS_PROVIDER_TOKEN", "PUSH_APNS_PROVIDER_TOKEN", "APNS_TEAM_ID",
                    "PUSH_APNS_TEAM_ID", "APNS_KEY_ID", "PUSH_APNS_KEY_ID", "APNS_PRIVATE_KEY", "PUSH_APNS_PRIVATE_KEY",
                    "APNS_PRIVATE_KEY_PATH", "PUSH_APNS_PRIVATE_KEY_PATH", "VAPID_PRIVATE_KEY", "PUSH_WEBPUSH_VAPID_PRIVATE_KEY",
                    "VAPID_CONTACT", "PUSH_WEBPUSH_VAPID_CONTACT", "HMS_APP_ID", "PUSH_HMS_APP_ID", "HMS_ENDPOINT",
                    "PUSH_HMS_ENDPOINT", "HMS_PROVIDER_TOKEN", "PUSH_HMS_PROVIDER_TOKEN", "WNS_PROVIDER_TOKEN",
                    "PUSH_WNS_PROVIDER_TOKEN")
            .variables();

    private ConfigVariables() {}

    /** Every variable Herald knows, with what it does with it (the ones of {@link #NOT_READ} aside). */
    static Map<String, KnownKey.Leaf> all() {
        return VARIABLES;
    }

    /**
     * Warns about each set variable that Herald ignores (one line per reason) or that looks like a
     * misspelled known one, into {@code notes}.
     *
     * @throws ConfigException naming a set variable that Herald refuses
     */
    static void check(Map<String, String> env, StartupNotes notes) {
        Map<String, List<String>> ignoredByReason = new LinkedHashMap<>();
        for (Map.Entry<String, String> set : new TreeMap<>(env).entrySet()) {
            String name = set.getKey();
            KnownKey.Leaf known = VARIABLES.get(name);
            if (known == null) {
                String guess = misspelled(name);
                if (guess != null) {
                    notes.unknownKey("Environment variable " + name + " is not read by Herald; did you mean " + guess + "?");
                }
            } else if (!harmless(known, set.getValue())) {
                if (known.use() == KnownKey.Use.REFUSED) {
                    throw new ConfigException(name + ": not supported: " + known.reason());
                }
                if (known.use() == KnownKey.Use.IGNORED) {
                    ignoredByReason.computeIfAbsent(known.reason(), r -> new java.util.ArrayList<>()).add(name);
                }
            }
        }
        ignoredByReason.forEach((reason, names) -> notes.warn("Ignored environment variable"
                + (names.size() > 1 ? "s " : " ") + String.join(", ", names) + ": " + reason));
    }

    /** A value that asks for what Herald does anyway: the same boolean, number or word, in any spelling Sockudo takes. */
    private static boolean harmless(KnownKey.Leaf known, String raw) {
        String value = raw.trim().toLowerCase(Locale.ROOT);
        return known.harmless().stream().anyMatch(h -> h.isBoolean()
                ? EnvValues.isBool(value) && EnvValues.bool("", value) == h.booleanValue()
                : value.equals(h.asText().toLowerCase(Locale.ROOT)));
    }

    /**
     * The known variable a set one was probably meant to be: Sockudo's {@code DATABASE_} form of a
     * bare Redis or database variable, or a known variable of the same family (first word) within
     * two edits. Null for anything else: most of the environment belongs to other programs.
     */
    static String misspelled(String name) {
        if (NOT_READ.contains(name)) {
            return null;
        }
        if (VARIABLES.containsKey("DATABASE_" + name)) {
            return "DATABASE_" + name;
        }
        String family = name.contains("_") ? name.substring(0, name.indexOf('_') + 1) : null;
        if (family == null) {
            return null;
        }
        List<String> relatives = VARIABLES.keySet().stream().filter(known -> known.startsWith(family)).toList();
        String close = Spelling.closest(name, relatives);
        return close != null && Spelling.distance(name, close) <= 2 ? close : null;
    }

    /** Builds the catalog: a name listed twice is a mistake in this file. */
    private static final class Catalog {
        private final Map<String, KnownKey.Leaf> variables = new LinkedHashMap<>();

        Catalog read(String... names) {
            return add(new KnownKey.Leaf(KnownKey.Use.READ, null, List.of()), names);
        }

        Catalog ignored(String reason, String... names) {
            return add(new KnownKey.Leaf(KnownKey.Use.IGNORED, reason, List.of()), names);
        }

        Catalog ignoredUnless(String harmless, String reason, String... names) {
            return add(new KnownKey.Leaf(KnownKey.Use.IGNORED, reason, List.of(text(harmless))), names);
        }

        Catalog refused(String reason, String... names) {
            return add(new KnownKey.Leaf(KnownKey.Use.REFUSED, reason, List.of()), names);
        }

        Catalog refusedUnless(String harmless, String reason, String... names) {
            return add(new KnownKey.Leaf(KnownKey.Use.REFUSED, reason, List.of(text(harmless))), names);
        }

        /** "true"/"false" stand for booleans, anything else for that word or number. */
        private static com.fasterxml.jackson.databind.JsonNode text(String harmless) {
            com.fasterxml.jackson.databind.node.JsonNodeFactory nodes = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
            return harmless.equals("true") || harmless.equals("false") ? nodes.booleanNode(Boolean.parseBoolean(harmless))
                    : nodes.textNode(harmless);
        }

        private Catalog add(KnownKey.Leaf leaf, String... names) {
            Arrays.stream(names).forEach(name -> {
                if (variables.putIfAbsent(name, leaf) != null) {
                    throw new IllegalStateException("variable listed twice: " + name);
                }
            });
            return this;
        }

        Map<String, KnownKey.Leaf> variables() {
            return Map.copyOf(variables);
        }
    }
}
