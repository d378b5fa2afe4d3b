package io.herald.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretsTest {
    @Test
    void urlCredentialsOfAnySchemeAreDropped() {
        assertThat(Secrets.mask("cannot connect to redis://:Hunter2@127.0.0.1:6379/0 now"))
                .isEqualTo("cannot connect to redis://127.0.0.1:6379/0 now");
        assertThat(Secrets.mask("redis://user:Hunter2@h:1,rediss://:x@h:2")).isEqualTo("redis://h:1,rediss://h:2");
        assertThat(Secrets.mask("[nats://user:pw@a:4222, tls://TOKEN@b:4222]")).isEqualTo("[nats://a:4222, tls://b:4222]");
        assertThat(Secrets.mask("https://u:p@hooks.example.com/x?a=b@c")).isEqualTo("https://hooks.example.com/x?a=b@c");
        // An unencoded '@' in a password must not leave its tail behind.
        assertThat(Secrets.mask("redis://:p@ss#w0rd@host:6379")).isEqualTo("redis://host:6379");
        assertThat(Secrets.mask("jdbc:postgresql://db:5432/x?user=a&password=Hunter2&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/x?user=a&password=***&ssl=true");
        assertThat(Secrets.mask("no url here")).isEqualTo("no url here");
        assertThat(Secrets.mask(null)).isNull();
    }

    @Test
    void knownSecretsAreMaskedRawAndPercentEncoded() {
        assertThat(Secrets.mask("auth p@ss#w0rd/x and p%40ss%23w0rd%2Fx", Set.of("p@ss#w0rd/x")))
                .isEqualTo("auth *** and ***");
        assertThat(Secrets.mask("short ab stays", Set.of("ab"))).isEqualTo("short ab stays");
    }

    @Test
    void theSecretOfAUrlIsItsPasswordOrToken() {
        assertThat(Secrets.ofUrl("redis://user:p%40ss@h:1")).containsExactly("p%40ss", "p@ss");
        assertThat(Secrets.ofUrl("nats://TOKEN123@h:4222")).containsExactly("TOKEN123");
        assertThat(Secrets.ofUrl("redis://h:1")).isEmpty();
    }

    @Test
    void describeJoinsTheCauseChainOnOneLineMasked() {
        Exception inner = new IllegalArgumentException("WRONGPASS for redis://:Hunter2@h:1\nsecond line");
        Exception outer = new IllegalStateException("Unable to connect", inner);
        assertThat(Secrets.describe(outer, List.of("Hunter2")))
                .isEqualTo("Unable to connect: WRONGPASS for redis://h:1 second line");
    }
}
