package io.herald.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.app.App;
import io.herald.channel.ChannelRegistry;
import io.herald.channel.Connection;
import io.herald.cluster.Adapter;
import io.herald.wire.ChannelType;
import io.herald.wire.ErrorCodes;
import io.herald.wire.Frames;
import io.herald.wire.Jsons;
import io.herald.wire.Signatures;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * User sign-in (spec section 4): {@code pusher:signin}, the {@code #server-to-user-{id}} channel
 * and watchlists. Watchers are subscribed to an internal channel per watched user, so online and
 * offline notices travel the ordinary delivery path (and the adapter, on a cluster).
 */
final class UserSignIn {
    static final int MAX_WATCHLIST = 100;

    private final ChannelRegistry registry;
    private final Adapter adapter;

    UserSignIn(ChannelRegistry registry, Adapter adapter) {
        this.registry = registry;
        this.adapter = adapter;
    }

    void signIn(Connection connection, JsonNode data) {
        App app = connection.app();
        String userData = Jsons.text(data, "user_data");
        if (userData == null) {
            refuse(connection, "pusher:signin needs data.user_data (a JSON string)");
            return;
        }
        if (!Signatures.verifyAuth(app.key(), app.secret(), Signatures.signInPayload(connection.socketId(), userData),
                Jsons.text(data, "auth"))) {
            refuse(connection, "Invalid signature: auth does not match socket_id::user::user_data signed with the app secret");
            return;
        }
        JsonNode user;
        try {
            user = Jsons.MAPPER.readTree(userData);
        } catch (IOException e) {
            refuse(connection, "user_data is not valid JSON");
            return;
        }
        JsonNode id = user == null ? null : user.get("id");
        if (id == null || !id.isTextual() || id.asText().isEmpty()) {
            refuse(connection, "user_data must hold a non-empty string \"id\"");
            return;
        }
        String userId = id.asText();
        if (connection.userId() != null && !connection.userId().equals(userId)) {
            refuse(connection, "This connection is already signed in as another user");
            return;
        }
        boolean repeated = connection.userId() != null;
        String successData = "{\"user_data\":" + Jsons.quote(userData) + "}";
        connection.send(Frames.event(connection.channel().alloc(), "pusher:signin_success", null, successData));
        if (repeated) {
            return;
        }
        connection.signIn(userId);
        boolean firstConnection = registry.signedIn(connection);
        if (app.enableWatchlistEvents()) {
            if (firstConnection) {
                adapter.userCameOnline(app.id(), userId);
            }
            watch(connection, user.get("watchlist"));
        }
    }

    /** Called when a signed-in user's last connection on this node has closed. */
    void wentOffline(Connection connection) {
        if (connection.app().enableWatchlistEvents()) {
            adapter.userWentOffline(connection.app().id(), connection.userId());
        }
    }

    private void watch(Connection connection, JsonNode watchlist) {
        if (watchlist == null || !watchlist.isArray() || watchlist.isEmpty()) {
            return;
        }
        Set<String> watched = new LinkedHashSet<>();
        for (JsonNode id : watchlist) {
            if (id.isTextual() && !id.asText().isEmpty() && watched.size() < MAX_WATCHLIST) {
                watched.add(id.asText());
            }
        }
        if (watchlist.size() > MAX_WATCHLIST) {
            connection.send(Frames.error(connection.channel().alloc(), ErrorCodes.WATCHLIST_OVER_LIMIT,
                    "Watchlist has " + watchlist.size() + " users; only the first " + MAX_WATCHLIST + " are watched", null));
        }
        for (String id : watched) {
            registry.subscribe(connection, ChannelType.WATCHLIST_PREFIX + id, null, null, Map.of());
        }
        adapter.onlineUsers(connection.app().id(), watched).thenAccept(online -> {
            if (!online.isEmpty()) {
                connection.channel().eventLoop().execute(() -> connection.send(Frames.watchlistEvent(connection.channel().alloc(), "online", online)));
            }
        });
    }

    private static void refuse(Connection connection, String message) {
        connection.send(Frames.error(connection.channel().alloc(), ErrorCodes.UNAUTHORIZED, message, null));
    }
}
