package io.herald.config;

/**
 * Every configuration key Herald knows: each key Sockudo 5's options read (with what Herald does
 * with it) and Herald's own. {@code docs/sockudo-compatibility.md} is the same list for
 * operators; a test holds the two together and checks what each key does.
 */
final class ConfigKeys {

    // Why a key is ignored or refused: the text of the start-up message.
    static final String NO_MODE = "Herald has no production/development mode; nothing depends on it";
    static final String NO_API_ROLE = "Herald has no API-only role: every node serves WebSocket connections and the HTTP API";
    static final String NO_PATH_PREFIX = "Herald serves /app/{key} and /apps/{id} at the root (Sockudo does not use this key either)";
    static final String NO_TCP_EXPORTER = "Herald's metrics are scraped by Prometheus from metrics.port only (no TCP exporter)";
    static final String LOG_LOOK = "Herald's log lines are plain text or JSON (logging.format / LOG_FORMAT); colors and targets are not configurable";
    static final String NO_PUSH = "Herald has no push notifications";
    static final String LOCAL_BUFFERS = "Herald bounds each connection's unsent data to 1 MiB instead";
    static final String ALWAYS_COUNTS = "Herald always counts every node's connections";
    static final String NO_FALLBACK = "Herald never falls back to one node: a backend it cannot reach at start-up stops start-up";
    static final String QUERIES_ASK_NODES = "Herald's channel counts always ask every node";
    static final String PRESENCE_AT_ONCE = "Herald sends member_removed as soon as a user's last connection leaves";
    static final String FIXED_HEARTBEAT = "Herald's cluster heartbeat is fixed: one a second, a node silent for 3.5 s is dropped";
    static final String LETTUCE_RECONNECTS = "Herald's Redis client always reconnects by itself";
    static final String SHARDED_PUBSUB = "Herald always uses sharded pub/sub on a Redis Cluster (Redis 7 or newer)";
    static final String CLUSTER_TLS = "not used (nor by Sockudo): TLS to a Redis Cluster comes from database.redis.cluster.use_tls or database.redis.master_tls.enabled";
    static final String NATS_TUNING = "Herald's NATS adapter learns the other nodes from their heartbeats and has no such setting";
    static final String NO_DRIVER = "Herald has no such driver; the settings of drivers it does not have are ignored";
    static final String NO_OTHER_DATABASES = "Herald's app managers are memory, mysql and postgres; the settings of other databases are ignored";
    static final String ONE_WINDOW = "Herald counts client events per 1-second window";
    static final String NO_TERMINATE = "Herald drops the event and answers pusher:error 4301; the connection stays";
    static final String NO_MESSAGE_LIMIT = "Herald limits client events (max_client_events_per_second), not every message";
    static final String V2_ONLY = "a feature of Sockudo's own protocol (V2), which Herald does not speak; Pusher clients never use it";
    static final String NO_ANNOTATIONS = "Herald has no message annotations";
    static final String NO_DELTA = "Herald sends every message whole (no delta compression)";
    static final String NO_NAMESPACES = "Herald has no channel namespaces";
    static final String NO_HISTORY = "Herald keeps no message or presence history";
    static final String NO_IDEMPOTENCY = "Herald has no idempotency keys: a publish sent twice is delivered twice";
    static final String NO_RECOVERY = "Herald has no connection recovery: a client that reconnects subscribes again";
    static final String NO_ABLY = "Herald speaks only the Pusher protocol (no Ably compatibility)";
    static final String NO_AI = "Herald has no AI transport";
    static final String CACHE_SWEEP = "Herald drops an expired cache-channel event when it is read or evicted; there is no sweep to time";
    static final String UNUSED_LIMITS = "not used (nor by Sockudo's Pusher path): each app's own limits count";
    static final String SQL_POOL = "Herald's pool keeps up to connection_pool_size connections";
    static final String ONE_APP_CACHE = "Herald has one app cache: app_manager.cache.ttl";
    static final String KEY_PREFIX = "Herald's redis-backed parts have prefixes of their own (cache.redis.prefix, queue.redis.prefix, rate_limiter.redis.prefix)";
    static final String NO_SENTINEL = "Herald cannot find Redis through Sentinel: give the master's address in database.redis.host or a URL (REDIS_URL)";
    static final String SENTINEL_ONLY = "used only with Redis Sentinel, which Herald does not support";
    static final String REDIS_TLS_TRUST = "Herald checks a Redis TLS certificate (against master_tls.ca_path, else the JVM's authorities) and sends no client certificate";
    static final String NO_POOLING = "Herald's database pool is sized by database.mysql/postgres.connection_pool_size";
    static final String NO_MEMORY_THRESHOLD = "not used (nor by Sockudo)";
    static final String QUEUE_RELIABILITY = "Herald's webhook retries are its own: 1 s doubling to 60 s for webhooks.retry_window_seconds; queue.max_jobs bounds the queue";
    static final String WEBHOOK_RETRY_FIXED = "Herald retries every webhook with backoff from 1 s doubling to 60 s";
    static final String WEBHOOK_RETRY_ALWAYS = "Herald always retries a failed webhook (5xx, 408, 429, timeout) for the retry window";
    static final String WEBHOOK_NO_ATTEMPTS = "Herald retries for the retry window (webhooks.retry.max_elapsed_time_ms), not a number of attempts";
    static final String NO_RATE_LIMIT_ID = "not used (nor by Sockudo)";
    static final String SSL_PASSPHRASE = "Herald reads only an unencrypted PKCS#8 key: decrypt it with 'openssl pkcs8 -topk8 -nocrypt'";
    static final String SSL_CA = "not used (nor by Sockudo): put the chain in ssl.cert_path";
    static final String UNUSED_CLUSTER_HEALTH = "not used (nor by Sockudo, which reads adapter.cluster_health); Herald's cluster heartbeat is fixed";
    static final String NO_UNIX_SOCKET = "Herald listens on TCP only (host and port)";
    static final String NO_CLEANUP_QUEUE = "Herald cleans up a closed connection at once, on its own event loop";
    static final String WEBSOCKET_TUNING = "Herald's WebSocket settings are websocket_max_payload_kb and activity_timeout, with a fixed 1 MiB bound on each connection's unsent data";
    static final String NO_COMPRESSION = "Herald does not compress WebSocket messages";

    /** Sockudo's webhook record, and Herald's filter names (soketi's). WebhookRecords says what it does with each. */
    private static final KnownKey.Block WEBHOOK = KeyTree.block(w -> w
            .read("url", "event_types", "headers", "lambda_function", "request_timeout_ms")
            .block("filter", f -> f.read("channel_prefix", "channel_suffix", "channel_pattern", "channel_namespace",
                    "channel_namespaces", "channel_name_starts_with", "channel_name_ends_with"))
            .block("lambda", l -> l.read("function_name", "region"))
            .block("retry", r -> r.read("enabled", "max_attempts", "max_elapsed_time_ms", "initial_backoff_ms",
                    "max_backoff_ms")));

    private static final KnownKey.Block MESSAGE_RATE_LIMIT = KeyTree.feature(false, f -> f
            .ignoredUnless("false", NO_MESSAGE_LIMIT, "enabled")
            .ignored(NO_MESSAGE_LIMIT, "max_attempts", "decay_seconds", "terminate_on_limit"));

    private static final KnownKey.Block CHANNEL_NAMESPACE = KeyTree.block(n -> n
            .ignored(NO_NAMESPACES, "name", "channel_name_pattern", "max_channel_name_length", "annotations_enabled",
                    "allow_user_limited_channels", "allow_subscribe_for_client", "allow_publish_for_client",
                    "allow_presence_for_client")
            .block("history", h -> h.ignored(NO_NAMESPACES, "rewind_enabled", "retention_window_seconds",
                    "max_messages_per_channel", "max_bytes_per_channel"))
            .block("presence_history", h -> h.ignored(NO_NAMESPACES, "enabled", "retention_window_seconds",
                    "max_events_per_channel", "max_bytes_per_channel")));

    /** Keys an app record shares between its flat form and its {@code policy}'s parts. */
    private static void limits(KeyTree t) {
        t.read("max_connections", "max_backend_events_per_second", "max_client_events_per_second",
                        "max_read_requests_per_second", "max_presence_members_per_channel", "max_presence_member_size_in_kb",
                        "max_channel_name_length", "max_event_channels_at_once", "max_event_name_length",
                        "max_event_payload_in_kb", "max_event_batch_size")
                .ignoredUnless("1", ONE_WINDOW, "decay_seconds")
                .ignoredUnless("false", NO_TERMINATE, "terminate_on_limit")
                .add("message_rate_limit", MESSAGE_RATE_LIMIT);
    }

    private static void features(KeyTree t) {
        t.read("enable_client_messages", "enable_user_authentication", "enable_watchlist_events");
    }

    private static void channels(KeyTree t) {
        t.read("allowed_origins")
                .ignoredUnless("false", NO_ANNOTATIONS, "annotations_enabled")
                .ignored(NO_DELTA, "channel_delta_compression")
                .add("channel_namespaces", new KnownKey.ListOf(CHANNEL_NAMESPACE));
    }

    private static void appExtras(KeyTree t) {
        t.add("webhooks", new KnownKey.ListOf(WEBHOOK))
                .ignoredFeature("idempotency", true, NO_IDEMPOTENCY, "ttl_seconds")
                .ignoredFeature("connection_recovery", false, NO_RECOVERY, "buffer_ttl_seconds", "max_buffer_size");
    }

    /** One app of {@code app_manager.array.apps}: Sockudo's flat form, or its {@code policy} form. */
    static final KnownKey.Block APP = KeyTree.block(a -> {
        a.read("id", "key", "secret", "enabled", "enable_subscription_count_event");
        limits(a);
        features(a);
        channels(a);
        appExtras(a);
        a.block("policy", p -> {
            p.block("limits", ConfigKeys::limits).block("features", ConfigKeys::features).block("channels", ConfigKeys::channels);
            appExtras(p);
            p.ignoredFeature("history", false, NO_HISTORY, "rewind_enabled", "retention_window_seconds",
                    "max_messages_per_channel", "max_bytes_per_channel");
            p.ignoredFeature("presence_history", false, NO_HISTORY, "retention_window_seconds", "max_events_per_channel",
                    "max_bytes_per_channel");
        });
    });

    /** The items of {@code SOCKUDO_DEFAULT_APP_WEBHOOKS}, checked like the webhooks of a configured app. */
    static final KnownKey.ListOf WEBHOOKS = new KnownKey.ListOf(WEBHOOK);

    private static void sqlDatabase(KeyTree d) {
        d.read("host", "port", "username", "password", "database", "table_name", "connection_pool_size")
                .ignored(SQL_POOL, "pool_min", "pool_max")
                .ignored(ONE_APP_CACHE, "cache_ttl", "cache_cleanup_interval", "cache_max_capacity");
    }

    private static void natsDriver(KeyTree n, String reason) {
        n.ignored(reason, "servers", "prefix", "request_timeout_ms", "username", "password", "token", "connection_timeout_ms",
                "nodes_number", "discovery_max_wait_ms", "discovery_idle_wait_ms", "subscription_capacity", "client_capacity",
                "max_reconnects", "presence_sync_chunk_size", "no_echo");
    }

    /** The settings blocks of Sockudo's brokers (adapter and queue share them); Herald has none of these drivers. */
    private static void brokers(KeyTree t) {
        t.block("pulsar", b -> b.ignored(NO_DRIVER, "url", "prefix", "request_timeout_ms", "token", "nodes_number"))
                .block("rabbitmq", b -> b.ignored(NO_DRIVER, "url", "prefix", "request_timeout_ms", "connection_timeout_ms",
                        "nodes_number"))
                .block("google_pubsub", b -> b.ignored(NO_DRIVER, "project_id", "prefix", "request_timeout_ms", "emulator_host",
                        "nodes_number"))
                .block("kafka", b -> b.ignored(NO_DRIVER, "brokers", "prefix", "request_timeout_ms", "security_protocol",
                        "sasl_mechanism", "sasl_username", "sasl_password", "nodes_number"))
                .block("iggy", b -> b.ignored(NO_DRIVER, "connection_string", "username", "password", "consumer_name", "stream",
                        "topic_prefix", "queue_topic_prefix", "consumer_group_prefix", "request_timeout_ms", "poll_interval_ms",
                        "poll_batch_size", "partitions_count", "partition_id", "auto_create", "start_from_latest",
                        "nodes_number"));
    }

    private static void redisTls(KeyTree t, String reason) {
        t.ignoredUnless("false", reason, "enabled")
                .ignoredUnless("false", reason, "accept_invalid_certs")
                .ignored(reason, "ca_path", "client_cert_path", "client_key_path");
    }

    private static void hostPort(KeyTree t) {
        t.read("host", "port");
    }

    /** The whole file. */
    static final KnownKey.Block ROOT = KeyTree.block(root -> root
            .read("debug", "host", "port", "shutdown_grace_period", "user_authentication_timeout",
                    "websocket_max_payload_kb", "activity_timeout", "max_connections",
                    "pong_timeout", "http_max_body_kb", "max_channels_per_connection", "http_request_timeout",
                    "http_idle_timeout", "io_transport", "startup_warm_up")
            .ignored(NO_MODE, "mode")
            .ignoredUnless("\"default\"", NO_API_ROLE, "server_role")
            .ignoredUnless("\"/\"", NO_PATH_PREFIX, "path_prefix")
            .read("health_check_timeout_ms")
            .block("instance", i -> i.read("process_id"))
            .block("logging", l -> l.read("format").ignored(LOG_LOOK, "colors_enabled", "include_target"))
            .block("adapter", a -> {
                a.read("driver")
                        .ignored(LOCAL_BUFFERS, "buffer_multiplier_per_cpu")
                        .ignoredUnless("true", ALWAYS_COUNTS, "enable_socket_counting")
                        .ignoredUnless("false", NO_FALLBACK, "fallback_to_local")
                        .ignoredUnless("false", QUERIES_ASK_NODES, "aggregate_counts")
                        .ignoredUnless("false", PRESENCE_AT_ONCE, "fast_presence_transitions")
                        .block("cluster_health", c -> c.ignored(FIXED_HEARTBEAT, "enabled", "heartbeat_interval_ms",
                                "node_timeout_ms", "cleanup_interval_ms"))
                        .block("redis", r -> r.read("requests_timeout", "prefix", "cluster_mode")
                                .block("redis_pub_options", o -> o.read("url"))
                                .block("redis_sub_options", o -> o.read("url")))
                        .block("cluster", c -> c.read("nodes", "prefix", "request_timeout_ms")
                                .ignoredUnless("true", LETTUCE_RECONNECTS, "use_connection_manager")
                                .ignoredUnless("true", SHARDED_PUBSUB, "use_sharded_pubsub")
                                .block("tls", t -> redisTls(t, CLUSTER_TLS)))
                        .block("nats", n -> n.read("servers", "prefix", "request_timeout_ms", "username", "password", "token",
                                        "connection_timeout_ms", "tls_ca_path")
                                .ignored(NATS_TUNING, "nodes_number", "discovery_max_wait_ms", "discovery_idle_wait_ms",
                                        "subscription_capacity", "client_capacity", "max_reconnects",
                                        "presence_sync_chunk_size", "no_echo"));
                brokers(a);
            })
            .block("app_manager", m -> m.read("driver")
                    .block("array", a -> a.add("apps", new KnownKey.ListOf(APP)))
                    .block("cache", c -> c.read("enabled", "ttl"))
                    .block("scylladb", s -> s.ignored(NO_OTHER_DATABASES, "nodes", "keyspace", "table_name", "username",
                            "password", "replication_class", "replication_factor")))
            .block("cache", c -> c.read("driver")
                    .block("redis", r -> r.read("prefix", "url_override", "cluster_mode"))
                    .block("redis_cluster", r -> r.read("nodes", "prefix"))
                    .block("memory", r -> r.read("ttl", "max_capacity").ignored(CACHE_SWEEP, "cleanup_interval")))
            .block("channel_limits", c -> c.ignored(UNUSED_LIMITS, "max_name_length", "cache_ttl"))
            .block("event_limits", c -> c.ignored(UNUSED_LIMITS, "max_channels_at_once", "max_name_length",
                    "max_payload_in_kb", "max_batch_size"))
            .block("presence", p -> p.ignored(UNUSED_LIMITS, "max_members_per_channel", "max_member_size_in_kb")
                    .ignored(V2_ONLY, "update_rate_limit_per_member_per_second", "v2_ungraceful_timeout_seconds")
                    .ignoredUnless("0", PRESENCE_AT_ONCE, "ungraceful_timeout_seconds"))
            .block("cors", c -> c.read("credentials", "origin", "methods", "allowed_headers"))
            .block("database", d -> d
                    .block("mysql", ConfigKeys::sqlDatabase)
                    .block("postgres", ConfigKeys::sqlDatabase)
                    .block("redis", r -> r.read("host", "port", "db", "username", "password", "url_override")
                            .ignored(KEY_PREFIX, "key_prefix")
                            .listOf("sentinels", l -> l.refused(NO_SENTINEL, "host", "port"))
                            .ignored(SENTINEL_ONLY, "sentinel_password", "sentinel_username", "name")
                            .block("sentinel_tls", t -> redisTls(t, SENTINEL_ONLY))
                            .block("master_tls", t -> t.read("enabled", "ca_path")
                                    .refusedUnless("false", REDIS_TLS_TRUST, "accept_invalid_certs")
                                    .refused(REDIS_TLS_TRUST, "client_cert_path", "client_key_path"))
                            .block("cluster", c -> c.read("username", "password", "use_tls")
                                    .listOf("nodes", ConfigKeys::hostPort))
                            .listOf("cluster_nodes", ConfigKeys::hostPort))
                    .block("dynamodb", b -> b.ignored(NO_OTHER_DATABASES, "region", "table_name", "endpoint_url",
                            "aws_access_key_id", "aws_secret_access_key", "aws_profile_name"))
                    .block("surrealdb", b -> b.ignored(NO_OTHER_DATABASES, "url", "namespace", "database", "username",
                            "password", "table_name", "cache_ttl", "cache_max_capacity"))
                    .block("scylladb", b -> b.ignored(NO_OTHER_DATABASES, "nodes", "keyspace", "table_name", "username",
                            "password", "replication_class", "replication_factor")))
            .block("database_pooling", p -> p.ignored(NO_POOLING, "enabled", "min", "max"))
            .block("http_api", h -> h.read("request_limit_in_mb", "usage_enabled")
                    .block("accept_traffic", a -> a.ignored(NO_MEMORY_THRESHOLD, "memory_threshold")))
            .block("metrics", m -> m.read("enabled", "driver", "host", "port")
                    .block("prometheus", p -> p.read("prefix"))
                    .block("tcp_exporter", p -> p.ignoredUnless("false", NO_TCP_EXPORTER, "enabled")
                            .ignored(NO_TCP_EXPORTER, "host", "port", "buffer_size")))
            .block("health_check", h -> h.read("enabled", "interval", "timeout"))
            .block("queue", q -> {
                q.read("driver", "lease_seconds", "max_jobs")
                        .block("redis", r -> r.read("concurrency", "prefix", "url_override", "cluster_mode",
                                "response_timeout_ms"))
                        .block("redis_cluster", r -> r.read("concurrency", "prefix", "nodes", "request_timeout_ms"))
                        .block("reliability", r -> r.ignored(QUEUE_RELIABILITY, "max_attempts", "retry_base_delay_ms",
                                "retry_max_delay_ms", "retry_jitter", "lease_duration_ms", "lease_renew_interval_ms",
                                "stalled_batch_size", "worker_poll_interval_ms", "worker_prefetch", "shutdown_timeout_ms",
                                "completed_retention", "failed_retention", "event_retention", "deduplication_ttl_ms",
                                "memory_capacity", "max_batch_size"))
                        .block("sqs", s -> s.ignored(NO_DRIVER, "region", "queue_url_prefix", "visibility_timeout",
                                "endpoint_url", "max_messages", "wait_time_seconds", "concurrency", "fifo",
                                "message_group_id"))
                        .block("sns", s -> s.ignored(NO_DRIVER, "region", "topic_arn", "endpoint_url"))
                        .block("nats", n -> natsDriver(n, NO_DRIVER));
                brokers(q);
            })
            .block("rate_limiter", r -> r.read("enabled", "driver", "trust_forwarded_for")
                    .block("api_rate_limit", l -> l.read("max_requests", "window_seconds", "trust_hops")
                            .ignored(NO_RATE_LIMIT_ID, "identifier"))
                    .block("websocket_rate_limit", l -> l.read("max_requests", "window_seconds", "trust_hops")
                            .ignored(NO_RATE_LIMIT_ID, "identifier"))
                    .block("redis", l -> l.read("prefix", "url_override", "cluster_mode"))
                    .block("redis_cluster", l -> l.read("nodes", "prefix")))
            .block("ssl", s -> s.read("enabled", "cert_path", "key_path", "redirect_http", "http_port")
                    .refused(SSL_PASSPHRASE, "passphrase")
                    .ignored(SSL_CA, "ca_path"))
            .block("webhooks", w -> w.read("request_timeout_ms", "retry_window_seconds")
                    .block("batching", b -> b.read("enabled", "duration", "size"))
                    .block("retry", b -> b.read("max_elapsed_time_ms")
                            .ignoredUnless("true", WEBHOOK_RETRY_ALWAYS, "enabled")
                            .ignored(WEBHOOK_NO_ATTEMPTS, "max_attempts")
                            .ignoredUnless("1000", WEBHOOK_RETRY_FIXED, "initial_backoff_ms")
                            .ignoredUnless("60000", WEBHOOK_RETRY_FIXED, "max_backoff_ms")))
            .block("cluster_health", c -> c.ignored(UNUSED_CLUSTER_HEALTH, "enabled", "heartbeat_interval_ms",
                    "node_timeout_ms", "cleanup_interval_ms"))
            .block("unix_socket", u -> u.refusedUnless("false", NO_UNIX_SOCKET, "enabled")
                    .ignored(NO_UNIX_SOCKET, "path", "permission_mode"))
            .block("cleanup", c -> c.ignored(NO_CLEANUP_QUEUE, "queue_buffer_size", "batch_size", "batch_timeout_ms",
                    "worker_threads", "max_retry_attempts", "async_enabled", "fallback_to_sync"))
            .block("websocket", w -> w.ignored(WEBSOCKET_TUNING, "max_messages", "max_bytes", "disconnect_on_buffer_full",
                            "max_message_size", "max_frame_size", "write_buffer_size", "max_backpressure", "auto_ping",
                            "ping_interval", "idle_timeout")
                    .ignoredUnless("\"disabled\"", NO_COMPRESSION, "compression"))
            .ignoredFeature("delta_compression", true, NO_DELTA, "algorithm", "full_message_interval", "min_message_size",
                    "max_state_age_secs", "max_channel_states_per_socket", "max_conflation_states_per_channel",
                    "conflation_key_path", "cluster_coordination", "coordination_backend", "omit_delta_algorithm")
            .ignoredFeature("tag_filtering", false, V2_ONLY, "enable_tags")
            .ignoredFeature("idempotency", true, NO_IDEMPOTENCY, "ttl_seconds", "max_key_length")
            .ignoredFeature("ephemeral", true, V2_ONLY)
            .feature("echo_control", true, e -> e.ignoredUnless("false", V2_ONLY, "enabled")
                    .ignoredUnless("true", V2_ONLY, "default_echo_messages"))
            .ignoredFeature("event_name_filtering", true, V2_ONLY, "max_events_per_filter", "max_event_name_length")
            .ignoredFeature("connection_recovery", false, NO_RECOVERY, "buffer_ttl_seconds", "max_buffer_size")
            .ignoredFeature("annotations", false, NO_ANNOTATIONS)
            .ignoredFeature("versioned_messages", false, NO_HISTORY, "driver", "max_page_size", "retention_window_seconds",
                    "purge_interval_seconds", "purge_batch_size", "max_purge_per_tick")
            .feature("history", false, h -> {
                h.ignoredUnless("false", NO_HISTORY, "enabled").ignored(NO_HISTORY, "rewind_enabled", "backend",
                        "retention_window_seconds", "max_page_size", "max_messages_per_channel", "max_bytes_per_channel",
                        "writer_shards", "writer_queue_capacity", "purge_interval_seconds", "purge_batch_size",
                        "max_purge_per_tick");
                for (String backend : new String[] {"postgres", "mysql", "dynamodb", "surrealdb", "scylladb"}) {
                    h.block(backend, b -> b.ignored(NO_HISTORY, "table_prefix", "write_timeout_ms"));
                }
            })
            .ignoredFeature("presence_history", false, NO_HISTORY, "retention_window_seconds", "max_page_size",
                    "max_events_per_channel", "max_bytes_per_channel")
            .feature("ably_compat", false, a -> a.ignoredUnless("false", NO_ABLY, "enabled")
                    .ignored(NO_ABLY, "realtime_admission", "attach_timeout_ms", "max_token_ttl_ms",
                            "token_request_timestamp_skew_ms", "nonce_ttl_seconds", "stats_fixture_ingest_enabled",
                            "stats_queue_capacity", "stats_flush_interval_ms", "stats_retention_seconds",
                            "stats_max_scan_entries", "stats_cas_retries")
                    .listOf("keys", k -> k.ignored(NO_ABLY, "app_id", "key_name", "secret", "capability", "revocable_tokens",
                            "enabled", "rotation_id", "created_at_ms", "expires_at_ms", "revoked_at_ms")))
            .feature("ai_transport", false, a -> a.ignoredUnless("false", NO_AI, "enabled")
                    .ignored(NO_AI, "max_accumulated_message_bytes", "max_appends_per_message",
                            "max_open_streaming_messages_per_channel", "max_transport_value_bytes",
                            "max_steer_codec_message_ids_bytes")
                    .listOf("channels", c -> c.ignored(NO_AI, "prefix"))
                    .block("rollup", r -> r.ignored(NO_AI, "enabled", "default_window_ms", "min_window_ms", "max_window_ms",
                            "orphan_ttl_ms", "wheel_tick_ms", "shards")))
            .block("push", p -> p.ignored(NO_PUSH, "storage_driver", "queue_driver", "allow_memory_drivers", "fcm_enabled",
                            "apns_enabled", "webpush_enabled", "hms_enabled", "wns_enabled", "fcm_credential_ref",
                            "apns_credential_ref", "webpush_credential_ref", "hms_credential_ref", "wns_credential_ref",
                            "accept_worker_count", "planner_worker_count", "shard_worker_count", "dispatch_worker_count",
                            "dispatch_max_outbound_requests", "feedback_worker_count", "retry_worker_count",
                            "queue_partition_count", "channel_shard_count", "fanout_fast_threshold", "fanout_shard_size",
                            "fanout_sync_threshold", "backpressure_lag_threshold_secs", "publish_status_ttl_days",
                            "stale_device_max_age_days", "credential_encryption_key", "kms_key_ref", "vault_secret_ref",
                            "dry_run", "analytics_enabled", "analytics_retention_days", "scheduler_interval_secs",
                            "repair_interval_secs", "repair_min_age_secs", "repair_batch_size", "cleanup_interval_secs",
                            "cleanup_batch_size", "cleanup_max_deleted_per_tick")
                    .block("retry", r -> r.ignored(NO_PUSH, "max_attempts", "initial_backoff_ms", "max_backoff_ms",
                            "max_elapsed_secs", "jitter", "jitter_ratio_percent", "respect_retry_after"))
                    .block("circuit_breaker", r -> r.ignored(NO_PUSH, "failure_threshold", "cooldown_secs",
                            "half_open_max_inflight"))
                    .block("default_quotas", r -> r.ignored(NO_PUSH, "acceptance_rps", "delivery_quota_daily", "fanout_max",
                            "inflight_max"))
                    .block("payload_redaction", r -> r.ignored(NO_PUSH, "redact_payload", "redact_template_data",
                            "redact_provider_overrides", "allow_debug_payload_logging")))
            .listOf("push_rules", r -> r.ignored(NO_PUSH, "enabled", "channel_pattern", "event_filter", "rate_limit_per_second")
                    .block("payload_mapping", m -> m.ignored(NO_PUSH, "title_field", "body_field", "template_data_field",
                            "include_remaining_fields"))));

    private ConfigKeys() {}
}
