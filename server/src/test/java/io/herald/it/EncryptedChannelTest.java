package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.client.channel.PrivateEncryptedChannel;
import com.pusher.rest.data.Result;
import io.herald.testing.TestServers;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * End-to-end encrypted channels: the REST library encrypts with a key derived from the master key,
 * the server forwards the ciphertext untouched, the client decrypts with the shared_secret from auth.
 */
class EncryptedChannelTest {
    @RegisterExtension
    static final Fixture fx = Fixture.serving();
    private static com.pusher.rest.Pusher rest;

    @BeforeAll
    static void startServer() {
        byte[] masterKey = new byte[32];
        new SecureRandom().nextBytes(masterKey);
        rest = fx.restWithMasterKey(Base64.getEncoder().encodeToString(masterKey));
    }

    @Test
    void subscriberDecryptsEventPublishedThroughHttpApi() {
        WsClient client = fx.client("encrypted", TestServers.APP_KEY, Fixture.privateAuthorizer(rest)).connect();
        PrivateEncryptedChannel channel = client.subscribeEncrypted("private-encrypted-x", "secret-event");
        assertThat(channel.isSubscribed()).isTrue();

        Result result = rest.trigger("private-encrypted-x", "secret-event", Map.of("message", "top secret"));

        assertThat(result.getHttpStatus()).as("trigger response body: %s", result.getMessage()).isEqualTo(200);
        WsClient.Obs event = client.awaitEvent("private-encrypted-x", "secret-event");
        assertThat(Fixture.json(event.data())).isEqualTo(Fixture.json("{\"message\":\"top secret\"}"));
        assertThat(client.history(o -> o.kind() == WsClient.Kind.DECRYPT_FAILURE)).isEmpty();
    }
}
