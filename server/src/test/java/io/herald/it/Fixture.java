package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pusher.client.ChannelAuthorizer;
import com.pusher.rest.data.PresenceUser;
import com.pusher.rest.data.Result;
import io.herald.Herald;
import io.herald.app.App;
import io.herald.testing.TestServers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import java.util.UUID;

/**
 * A real Herald server on a free loopback port plus the official REST clients and WebSocket
 * clients a test class uses. One instance per test class, registered as an extension in that
 * class's own static field; WebSocket clients are tracked so each test's are closed after it.
 */
final class Fixture implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    static final ObjectMapper JSON = new ObjectMapper();

    private final App[] apps;
    private Herald herald;
    private int port;
    private final List<com.pusher.rest.Pusher> restClients = new ArrayList<>();
    private final List<WsClient> wsClients = new ArrayList<>();

    private Fixture(App[] apps) {
        this.apps = apps;
    }

    /**
     * A server with the given apps (the default app when none are given) for one test class:
     * {@code @RegisterExtension static final Fixture fx = Fixture.serving();}. It starts before the
     * class's own {@code @BeforeAll}, closes each test's clients after it, and stops after the class.
     */
    static Fixture serving(App... apps) {
        return new Fixture(apps);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        herald = TestServers.start(apps);
        port = herald.port();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        closeClients();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    int port() {
        return port;
    }

    // ------------------------------------------------------------------ REST (pusher-http-java)

    synchronized com.pusher.rest.Pusher rest(String appId, String key, String secret) {
        com.pusher.rest.Pusher rest = new com.pusher.rest.Pusher(appId, key, secret);
        configure(rest);
        return rest;
    }

    com.pusher.rest.Pusher rest() {
        return rest(TestServers.APP_ID, TestServers.APP_KEY, TestServers.APP_SECRET);
    }

    /** A REST client that also knows the encryption master key (needed for private-encrypted channels). */
    synchronized com.pusher.rest.Pusher restWithMasterKey(String masterKeyBase64) {
        com.pusher.rest.Pusher rest = new com.pusher.rest.Pusher(
                TestServers.APP_ID, TestServers.APP_KEY, TestServers.APP_SECRET, masterKeyBase64);
        configure(rest);
        return rest;
    }

    private void configure(com.pusher.rest.Pusher rest) {
        rest.setHost("127.0.0.1:" + port);
        rest.setEncrypted(false);
        restClients.add(rest);
    }

    // ------------------------------------------------------------------ WebSocket (pusher-java-client)

    synchronized WsClient client(String label, String key, ChannelAuthorizer authorizer) {
        WsClient c = new WsClient(label, key, port, authorizer);
        wsClients.add(c);
        return c;
    }

    /** A client of the default app whose authorizer signs private channels with the given REST client. */
    WsClient client(String label, com.pusher.rest.Pusher rest) {
        return client(label, TestServers.APP_KEY, privateAuthorizer(rest));
    }

    WsClient client(String label) {
        return client(label, TestServers.APP_KEY, null);
    }

    /** Disconnects every WebSocket client created so far (call from @AfterEach). */
    void closeClients() {
        List<WsClient> copy;
        synchronized (this) {
            copy = List.copyOf(wsClients);
            wsClients.clear();
        }
        for (WsClient c : copy) {
            c.close();
        }
    }

    private void close() {
        closeClients();
        List<com.pusher.rest.Pusher> rests;
        synchronized (this) {
            rests = List.copyOf(restClients);
            restClients.clear();
        }
        for (com.pusher.rest.Pusher r : rests) {
            try {
                r.close();
            } catch (Exception ignored) {
                // nothing useful to do in cleanup
            }
        }
        if (herald != null) {
            herald.close();
        }
    }

    // ------------------------------------------------------------------ authorizers (what a real backend returns)

    /** Private and private-encrypted channels: the REST library's own auth response. */
    static ChannelAuthorizer privateAuthorizer(com.pusher.rest.Pusher rest) {
        return (channelName, socketId) -> rest.authenticate(socketId, channelName);
    }

    /** Presence channels as the given user; private channels as above. */
    static ChannelAuthorizer presenceAuthorizer(com.pusher.rest.Pusher rest, String userId, Map<String, ?> userInfo) {
        return (channelName, socketId) -> channelName.startsWith("presence-")
                ? rest.authenticate(socketId, channelName, new PresenceUser(userId, userInfo))
                : rest.authenticate(socketId, channelName);
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Publishes a uniquely identified "marker" event through the HTTP API and waits until every given
     * client has received it. Whatever the server sent those clients earlier on that channel has
     * arrived by then, which lets a test assert that something was NOT delivered without sleeping.
     */
    static void marker(com.pusher.rest.Pusher rest, String channel, WsClient... clients) {
        String id = UUID.randomUUID().toString();
        Result r = rest.trigger(channel, "marker", Map.of("marker", id));
        assertThat(r.getHttpStatus()).as("HTTP status of marker trigger (body %s)", r.getMessage()).isEqualTo(200);
        for (WsClient c : clients) {
            c.awaitEvent(channel, "marker", id);
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
