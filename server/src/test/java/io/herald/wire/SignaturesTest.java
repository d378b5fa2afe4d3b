package io.herald.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The test vectors of the protocol spec, section 7. */
class SignaturesTest {
    private static final String KEY = "278d425bdf160c739803";
    private static final String SECRET = "7ad3773142a6692b25b8";
    private static final String SOCKET = "1234.1234";

    @Test
    void privateChannelVector() {
        String payload = Signatures.channelAuthPayload(SOCKET, "private-foobar", null);
        assertThat(Signatures.hmacSha256Hex(SECRET, payload))
                .isEqualTo("58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4");
        assertThat(Signatures.verifyAuth(KEY, SECRET, payload,
                KEY + ":58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4")).isTrue();
    }

    /**
     * The spec prints this vector with {@code "Mr. Channels"}, but the published signature (Pusher's
     * documentation and the official libraries' tests) is over {@code "Mr. Pusher"}: that is the data here.
     */
    @Test
    void presenceChannelVector() {
        String channelData = "{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Pusher\"}}";
        String payload = Signatures.channelAuthPayload(SOCKET, "presence-foobar", channelData);
        assertThat(Signatures.hmacSha256Hex(SECRET, payload))
                .isEqualTo("afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c");
    }

    @Test
    void signInVector() {
        assertThat(Signatures.hmacSha256Hex(SECRET, Signatures.signInPayload(SOCKET, "{\"id\":\"12345\"}")))
                .isEqualTo("4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba");
    }

    @Test
    void authWithAnotherKeyOrSignatureIsRefused() {
        String payload = Signatures.channelAuthPayload(SOCKET, "private-foobar", null);
        String signature = "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4";
        assertThat(Signatures.verifyAuth(KEY, SECRET, payload, "other-key:" + signature)).isFalse();
        assertThat(Signatures.verifyAuth(KEY, SECRET, payload, KEY + ":" + signature.replace('5', '6'))).isFalse();
        assertThat(Signatures.verifyAuth(KEY, SECRET, payload, signature)).isFalse();
        assertThat(Signatures.verifyAuth(KEY, SECRET, payload, null)).isFalse();
        // Signed for another socket: refused.
        assertThat(Signatures.verifyAuth(KEY, SECRET,
                Signatures.channelAuthPayload("1234.1235", "private-foobar", null), KEY + ":" + signature)).isFalse();
    }
}
