package io.herald;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.ConfigLoader;
import io.herald.config.HeraldConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupSummaryTest {

    @TempDir
    Path dir;

    @Test
    void namesEachPartsBackendByAddressAndNeverAPassword() {
        HeraldConfig config = ConfigLoader.load(null, Map.ofEntries(
                Map.entry("ADAPTER_DRIVER", "redis"), Map.entry("DATABASE_REDIS_HOST", "redis.internal"),
                Map.entry("DATABASE_REDIS_PORT", "6380"), Map.entry("DATABASE_REDIS_PASSWORD", "hunter2"),
                Map.entry("DATABASE_REDIS_DB", "1"), Map.entry("CACHE_DRIVER", "redis-cluster"),
                Map.entry("REDIS_CLUSTER_NODES", "redis://:pw@c1:7000,c2:7001"), Map.entry("DATABASE_REDIS_CLUSTER_PASSWORD", "pw2"),
                Map.entry("QUEUE_DRIVER", "none"), Map.entry("RATE_LIMITER_ENABLED", "true"),
                Map.entry("APP_MANAGER_DRIVER", "postgres"), Map.entry("DATABASE_POSTGRES_HOST", "pg"),
                Map.entry("DATABASE_POSTGRES_PASSWORD", "pgpass")), dir);

        assertThat(StartupSummary.backends(config)).containsExactly(
                "adapter redis at redis.internal:6380 db 1",
                "apps postgres at pg:5432, database sockudo, table applications",
                "cache redis-cluster at c1:7000, c2:7001",
                "webhook queue none (webhooks off)",
                "rate limiter memory");
        assertThat(String.join(" ", StartupSummary.backends(config))).doesNotContain("hunter2").doesNotContain("pw");
    }

    @Test
    void aNatsClusterAndTheDefaults() {
        HeraldConfig nats = ConfigLoader.load(null, Map.of("ADAPTER_DRIVER", "nats",
                "NATS_SERVERS", "nats://user:secret@n1:4222,nats://n2:4222", "NATS_PASSWORD", "secret"), dir);
        assertThat(StartupSummary.backends(nats)).containsExactly("adapter nats at n1:4222, n2:4222", "apps memory (1 app)",
                "cache memory", "webhook queue memory", "rate limiter off");
        assertThat(StartupSummary.address("rediss://:p@r:6379/0")).isEqualTo("r:6379 db 0 (TLS)");
    }
}
