package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The certificate authority keys for TLS to Redis and NATS: read at load time, named when wrong. */
class BackendTlsConfigTest {
    private static final Path NOWHERE = Path.of("/nonexistent");

    @Test
    void caPathsAreReadFromTheFileOrTheEnvironment() throws Exception {
        TestCertificates tls = TestCertificates.make();
        String ca = tls.caCertificate().toString();
        HeraldConfig redis = ConfigLoader.load(null, Map.of("DATABASE_REDIS_MASTER_TLS_CA_PATH", ca), NOWHERE);
        assertThat(redis.redisTlsCaPath()).isEqualTo(ca);
        HeraldConfig nats = ConfigLoader.load(null, Map.of("ADAPTER_DRIVER", "nats", "NATS_TLS_CA_PATH", ca), NOWHERE);
        assertThat(((HeraldConfig.AdapterConfig.Nats) nats.adapter()).tlsCaPath()).isEqualTo(ca);
        assertThat(ConfigLoader.load(null, Map.of(), NOWHERE).redisTlsCaPath()).isNull();
    }

    @Test
    void aMissingOrNonCertificateFileStopsLoadingNamingTheKey() throws Exception {
        Path file = Files.createTempFile("herald-config", ".json");
        Path notPem = Files.createTempFile("herald-not-a-ca", ".pem");
        try {
            Files.writeString(file, "{\"database\": {\"redis\": {\"master_tls\": {\"ca_path\": \"/no/such/ca.pem\"}}}}");
            assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), NOWHERE))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("database.redis.master_tls.ca_path: cannot read certificate authorities from"
                            + " /no/such/ca.pem: no such file");
            Files.writeString(notPem, "not a certificate");
            assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("ADAPTER_DRIVER", "nats",
                    "NATS_TLS_CA_PATH", notPem.toString()), NOWHERE))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("NATS_TLS_CA_PATH: cannot read certificate authorities from " + notPem);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(notPem);
        }
    }
}
