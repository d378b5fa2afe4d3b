package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.pusher.client.Pusher;
import com.pusher.client.PusherOptions;
import com.pusher.client.channel.Channel;
import com.pusher.client.connection.ConnectionEventListener;
import com.pusher.client.connection.ConnectionState;
import com.pusher.client.connection.ConnectionStateChange;
import com.pusher.rest.data.Result;
import io.herald.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * User sign-in with the official Java client ({@code PusherOptions.setUserAuthenticator},
 * {@code pusher.signin()}, {@code pusher.user().bind(...)}), events sent to a user through the
 * HTTP API on {@code #server-to-user-{id}}, and terminate_connections.
 *
 * <p>pusher-http-java 1.3.4 has no {@code authenticateUser}, {@code sendToUser} or
 * {@code terminateUserConnections}, and its {@code trigger} refuses channel names with {@code #}; so
 * the authenticator signs as an app backend would (HMAC-SHA256 of {@code socket_id::user::user_data})
 * and the tests use the library's generic signed {@code post(...)} for those endpoints.
 */
class UserSignInLibraryTest {
    @RegisterExtension
    static final Fixture fx = Fixture.serving();
    private static com.pusher.rest.Pusher rest;
    private final List<SignedInClient> clients = new ArrayList<>();

    @BeforeAll
    static void startServer() {
        rest = fx.rest();
    }

    @AfterEach
    void disconnectClients() {
        clients.forEach(SignedInClient::close);
        clients.clear();
    }

    // ------------------------------------------------------------------ what an app backend does

    /** The user-authentication endpoint's answer: {"auth":"key:HMAC(secret, socket_id::user::user_data)","user_data":...}. */
    static String authenticateUser(String socketId, Map<String, ?> userData) {
        try {
            String userDataJson = Fixture.JSON.writeValueAsString(userData);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(TestServers.APP_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String signature = HexFormat.of().formatHex(
                    mac.doFinal((socketId + "::user::" + userDataJson).getBytes(StandardCharsets.UTF_8)));
            Map<String, String> response = new LinkedHashMap<>();
            response.put("auth", TestServers.APP_KEY + ":" + signature);
            response.put("user_data", userDataJson);
            return Fixture.JSON.writeValueAsString(response);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** sendToUser: an event published through the HTTP API to #server-to-user-{id}. */
    static Result sendToUser(String userId, String event, Map<String, ?> data) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", event);
        body.put("channel", "#server-to-user-" + userId);
        body.put("data", Fixture.JSON.writeValueAsString(data));
        return rest.post("/events", Fixture.JSON.writeValueAsString(body));
    }

    // ------------------------------------------------------------------ a signed-in Java client

    /** One pusher-java-client connection that signs in; records states, errors and "note" user events. */
    final class SignedInClient implements AutoCloseable {
        final String label;
        final String userId;
        final Pusher pusher;
        final List<ConnectionState> states = new ArrayList<>(); // guarded by this
        final List<String> errors = new ArrayList<>();          // guarded by this
        final List<String> notes = new ArrayList<>();           // guarded by this

        SignedInClient(String label, Map<String, ?> userData) {
            this.label = label;
            this.userId = String.valueOf(userData.get("id"));
            PusherOptions options = new PusherOptions()
                    .setHost("127.0.0.1")
                    .setWsPort(fx.port())
                    .setUseTLS(false)
                    .setUserAuthenticator(socketId -> authenticateUser(socketId, userData));
            this.pusher = new Pusher(TestServers.APP_KEY, options);
            clients.add(this);
            pusher.user().bind("note", event -> {
                synchronized (this) {
                    notes.add(event.getData());
                }
            });
            pusher.connect(new ConnectionEventListener() {
                @Override
                public void onConnectionStateChange(ConnectionStateChange change) {
                    synchronized (SignedInClient.this) {
                        states.add(change.getCurrentState());
                    }
                }

                @Override
                public void onError(String message, String code, Exception e) {
                    synchronized (SignedInClient.this) {
                        errors.add(code + " " + message);
                    }
                }
            }, ConnectionState.ALL);
            await("connected", () -> pusher.getConnection().getState() == ConnectionState.CONNECTED);
        }

        /** Signs in and waits until the client is bound to the user and subscribed to its server-to-user channel. */
        SignedInClient signIn() {
            pusher.signin();
            await("signed in as " + userId, () -> userId.equals(pusher.user().userId()));
            await("subscribed to #server-to-user-" + userId, () -> {
                Channel channel = pusher.getChannel("#server-to-user-" + userId);
                return channel != null && channel.isSubscribed();
            });
            return this;
        }

        synchronized List<String> notes() {
            return List.copyOf(notes);
        }

        synchronized List<ConnectionState> states() {
            return List.copyOf(states);
        }

        synchronized List<String> errors() {
            return List.copyOf(errors);
        }

        void await(String what, BooleanSupplier done) {
            awaitValue(what, () -> done.getAsBoolean() ? Boolean.TRUE : null);
        }

        <T> T awaitValue(String what, Supplier<T> value) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WsClient.TIMEOUT_SECONDS);
            while (true) {
                T v = value.get();
                if (v != null) return v;
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("[" + label + "] timed out after " + WsClient.TIMEOUT_SECONDS
                            + " s waiting for " + what + "; states " + states() + ", errors " + errors()
                            + ", notes " + notes());
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for " + what, e);
                }
            }
        }

        @Override
        public void close() {
            if (pusher.getConnection().getState() == ConnectionState.DISCONNECTED) return;
            pusher.disconnect();
            try {
                await("disconnected", () -> pusher.getConnection().getState() == ConnectionState.DISCONNECTED);
            } catch (AssertionError ignored) {
                // best effort during cleanup
            }
        }
    }

    private static void assertOk(Result result, String what) {
        assertThat(result.getHttpStatus()).as("%s: HTTP status (body %s)", what, result.getMessage()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ tests

    @Test
    void signedInUserReceivesEventsSentToIt() throws Exception {
        SignedInClient u1 = new SignedInClient("u1", Map.of("id", "u1", "name", "User One")).signIn();
        SignedInClient u1SecondTab = new SignedInClient("u1-second-tab", Map.of("id", "u1")).signIn();
        SignedInClient u2 = new SignedInClient("u2", Map.of("id", "u2")).signIn();

        assertOk(sendToUser("u1", "note", Map.of("text", "your order shipped", "order", 1234)), "sendToUser u1");
        JsonNode expected = Fixture.json("{\"text\":\"your order shipped\",\"order\":1234}");
        for (SignedInClient c : List.of(u1, u1SecondTab)) {
            String note = c.awaitValue("the note for u1", () -> c.notes().isEmpty() ? null : c.notes().get(0));
            assertThat(Fixture.json(note)).isEqualTo(expected);
        }

        // u2 gets its own note afterwards; had u1's been misrouted to it, it would have come first.
        assertOk(sendToUser("u2", "note", Map.of("text", "for u2")), "sendToUser u2");
        String own = u2.awaitValue("u2's own note", () -> u2.notes().isEmpty() ? null : u2.notes().get(0));
        assertThat(Fixture.json(own)).isEqualTo(Fixture.json("{\"text\":\"for u2\"}"));
        assertThat(u2.notes()).hasSize(1);
        assertThat(u1.notes()).as("u1 did not get u2's note").hasSize(1);
    }

    @Test
    void aConnectionNotSignedInAsTheUserCannotSubscribeToItsChannel() throws Exception {
        SignedInClient victim = new SignedInClient("victim", Map.of("id", "u3")).signIn();
        WsClient eavesdropper = fx.client("eavesdropper").connect();
        eavesdropper.pusher().subscribe("#server-to-user-u3");
        eavesdropper.awaitError("4009");

        assertOk(sendToUser("u3", "note", Map.of("secret", true)), "sendToUser u3");
        victim.awaitValue("u3's note", () -> victim.notes().isEmpty() ? null : victim.notes().get(0));
        // Anything the server sent the eavesdropper before this marker has arrived by now.
        eavesdropper.subscribe("eavesdropper-marker");
        Fixture.marker(rest, "eavesdropper-marker", eavesdropper);
        assertThat(eavesdropper.pusher().getChannel("#server-to-user-u3").isSubscribed())
                .as("a connection not signed in as u3 is not subscribed to #server-to-user-u3").isFalse();
        assertThat(eavesdropper.history(o -> o.kind() == WsClient.Kind.EVENT && "note".equals(o.name())))
                .as("the eavesdropper saw no note").isEmpty();
        assertThat(eavesdropper.state()).as("the refusal keeps the connection open").isEqualTo(ConnectionState.CONNECTED);
    }

    @Test
    void terminateConnectionsDisconnectsEveryConnectionOfTheUser() throws Exception {
        SignedInClient tab1 = new SignedInClient("u4-tab1", Map.of("id", "u4")).signIn();
        SignedInClient tab2 = new SignedInClient("u4-tab2", Map.of("id", "u4")).signIn();
        SignedInClient other = new SignedInClient("u5", Map.of("id", "u5")).signIn();

        assertOk(rest.post("/users/u4/terminate_connections", "{}"), "terminate_connections u4");
        for (SignedInClient c : List.of(tab1, tab2)) {
            c.await("disconnected by terminate_connections",
                    () -> c.pusher.getConnection().getState() == ConnectionState.DISCONNECTED);
        }

        // The other user is untouched: still connected and reachable.
        assertOk(sendToUser("u5", "note", Map.of("still", "here")), "sendToUser u5");
        other.awaitValue("u5's note", () -> other.notes().isEmpty() ? null : other.notes().get(0));
        assertThat(other.pusher.getConnection().getState()).isEqualTo(ConnectionState.CONNECTED);
        // 4009 means "do not reconnect": the terminated client stays disconnected.
        assertThat(tab1.pusher.getConnection().getState()).isEqualTo(ConnectionState.DISCONNECTED);
        assertThat(tab1.states()).as("states of a terminated client").doesNotContain(ConnectionState.RECONNECTING);
    }
}
