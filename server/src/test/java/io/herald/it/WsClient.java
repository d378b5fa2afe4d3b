package io.herald.it;

import com.pusher.client.ChannelAuthorizer;
import com.pusher.client.Pusher;
import com.pusher.client.PusherOptions;
import com.pusher.client.channel.Channel;
import com.pusher.client.channel.PresenceChannel;
import com.pusher.client.channel.PresenceChannelEventListener;
import com.pusher.client.channel.PrivateChannel;
import com.pusher.client.channel.PrivateEncryptedChannel;
import com.pusher.client.channel.PrivateEncryptedChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import com.pusher.client.channel.User;
import com.pusher.client.connection.ConnectionEventListener;
import com.pusher.client.connection.ConnectionState;
import com.pusher.client.connection.ConnectionStateChange;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One official pusher-java-client connection that records everything it observes (state changes,
 * connection errors, channel events, presence callbacks) in arrival order, so a test can wait for
 * an observation (10 s at most) and later assert on the whole history.
 */
final class WsClient implements AutoCloseable {
    static final long TIMEOUT_SECONDS = 10;

    enum Kind { STATE, ERROR, SUBSCRIBED, EVENT, USERS, MEMBER_ADDED, MEMBER_REMOVED, AUTH_FAILURE, DECRYPT_FAILURE, CHANNEL_ERROR }

    /** One thing this client saw. Fields not relevant to the kind are null. */
    record Obs(Kind kind, String channel, String name, String data, String userId, String code,
               ConnectionState state, Set<User> users) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(kind.name());
            if (state != null) b.append(' ').append(state);
            if (channel != null) b.append(" channel=").append(channel);
            if (name != null) b.append(" name=").append(name);
            if (code != null) b.append(" code=").append(code);
            if (userId != null) b.append(" user_id=").append(userId);
            if (data != null) b.append(" data=").append(data.length() > 300 ? data.substring(0, 300) + "..." : data);
            if (users != null) b.append(" users=").append(users);
            return b.toString();
        }
    }

    private final String label;
    private final Pusher pusher;
    private final List<Obs> history = new ArrayList<>();      // guarded by this
    private final List<Boolean> claimed = new ArrayList<>();  // guarded by this

    WsClient(String label, String key, int port, ChannelAuthorizer authorizer) {
        this.label = label;
        PusherOptions options = new PusherOptions()
                .setHost("127.0.0.1")
                .setWsPort(port)
                .setUseTLS(false);
        if (authorizer != null) {
            options.setChannelAuthorizer(authorizer);
        }
        this.pusher = new Pusher(key, options);
    }

    Pusher pusher() {
        return pusher;
    }

    String socketId() {
        return pusher.getConnection().getSocketId();
    }

    ConnectionState state() {
        return pusher.getConnection().getState();
    }

    // ------------------------------------------------------------------ connection

    /** Starts connecting without waiting. */
    void startConnect() {
        pusher.connect(new ConnectionEventListener() {
            @Override
            public void onConnectionStateChange(ConnectionStateChange change) {
                record(new Obs(Kind.STATE, null, null, null, null, null, change.getCurrentState(), null));
            }

            @Override
            public void onError(String message, String code, Exception e) {
                String text = message;
                if (e != null) text = (text == null ? "" : text + " / ") + e;
                record(new Obs(Kind.ERROR, null, null, text, null, code, null, null));
            }
        }, ConnectionState.ALL);
    }

    /** Connects and waits until CONNECTED; returns this. */
    WsClient connect() {
        startConnect();
        awaitState(ConnectionState.CONNECTED);
        return this;
    }

    Obs awaitState(ConnectionState state) {
        return await("connection state " + state, o -> o.kind() == Kind.STATE && o.state() == state);
    }

    Obs awaitError(String code) {
        return await("pusher:error with code " + code, o -> o.kind() == Kind.ERROR && code.equals(o.code()));
    }

    void disconnectAndWait() {
        pusher.disconnect();
        awaitState(ConnectionState.DISCONNECTED);
    }

    @Override
    public void close() {
        ConnectionState s = state();
        if (s == ConnectionState.DISCONNECTED) {
            return;
        }
        pusher.disconnect();
        if (s == ConnectionState.CONNECTED || s == ConnectionState.DISCONNECTING) {
            try {
                awaitState(ConnectionState.DISCONNECTED);
            } catch (AssertionError ignored) {
                // best effort during cleanup
            }
        }
    }

    // ------------------------------------------------------------------ subscriptions

    /** Subscribes to a public channel and waits for subscription_succeeded. */
    Channel subscribe(String channel) {
        Recorder r = new Recorder(channel);
        Channel c = pusher.subscribe(channel, r);
        c.bindGlobal(r);
        awaitSubscribed(channel);
        return c;
    }

    /** Sends the subscription for a private channel without waiting for the outcome. */
    PrivateChannel startSubscribePrivate(String channel) {
        Recorder r = new Recorder(channel);
        PrivateChannel c = pusher.subscribePrivate(channel, r);
        c.bindGlobal(r);
        return c;
    }

    PrivateChannel subscribePrivate(String channel) {
        PrivateChannel c = startSubscribePrivate(channel);
        awaitSubscribed(channel);
        return c;
    }

    /** Subscribes to a presence channel and waits for subscription_succeeded and the member list. */
    PresenceChannel subscribePresence(String channel) {
        Recorder r = new Recorder(channel);
        PresenceChannel c = pusher.subscribePresence(channel, r);
        c.bindGlobal(r);
        awaitSubscribed(channel);
        await("member list of " + channel, o -> o.kind() == Kind.USERS && channel.equals(o.channel()));
        return c;
    }

    /** Subscribes to a private-encrypted channel, binding the given event names, and waits for success. */
    PrivateEncryptedChannel subscribeEncrypted(String channel, String... eventNames) {
        Recorder r = new Recorder(channel);
        PrivateEncryptedChannel c = pusher.subscribePrivateEncrypted(channel, r, eventNames);
        awaitSubscribed(channel);
        return c;
    }

    /** The member list this client received when it subscribed to the presence channel. */
    Set<User> memberList(String channel) {
        return history(o -> o.kind() == Kind.USERS && channel.equals(o.channel())).stream()
                .findFirst()
                .map(Obs::users)
                .orElseThrow(() -> new AssertionError("[" + label + "] no member list received for " + channel));
    }

    Obs awaitSubscribed(String channel) {
        return await("subscription_succeeded on " + channel,
                o -> o.kind() == Kind.SUBSCRIBED && channel.equals(o.channel()));
    }

    Obs awaitEvent(String channel, String name) {
        return await("event " + name + " on " + channel,
                o -> o.kind() == Kind.EVENT && channel.equals(o.channel()) && name.equals(o.name()));
    }

    /** Waits for an event whose data contains the given text (used for unique markers). */
    Obs awaitEvent(String channel, String name, String dataContains) {
        return await("event " + name + " on " + channel + " with data containing " + dataContains,
                o -> o.kind() == Kind.EVENT && channel.equals(o.channel()) && name.equals(o.name())
                        && o.data() != null && o.data().contains(dataContains));
    }

    // ------------------------------------------------------------------ waiting and history

    /**
     * Waits up to 10 s for the first observation matching {@code p} that no earlier await returned,
     * and claims it. Observations are kept in order; nothing is dropped.
     */
    synchronized Obs await(String what, Predicate<Obs> p) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            for (int i = 0; i < history.size(); i++) {
                if (!claimed.get(i) && p.test(history.get(i))) {
                    claimed.set(i, true);
                    return history.get(i);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("[" + label + "] timed out after " + TIMEOUT_SECONDS
                        + " s waiting for " + what + "; observed so far: " + history);
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    /** Everything observed so far, in arrival order. */
    synchronized List<Obs> history() {
        return List.copyOf(history);
    }

    synchronized List<Obs> history(Predicate<Obs> p) {
        return history.stream().filter(p).toList();
    }

    private synchronized void record(Obs o) {
        history.add(o);
        claimed.add(false);
        notifyAll();
    }

    @Override
    public String toString() {
        return label;
    }

    /** Listener for one channel, able to serve public, private, presence and encrypted channels. */
    private final class Recorder implements PresenceChannelEventListener, PrivateEncryptedChannelEventListener {
        private final String channel;

        Recorder(String channel) {
            this.channel = channel;
        }

        @Override
        public void onSubscriptionSucceeded(String channelName) {
            record(new Obs(Kind.SUBSCRIBED, channelName, null, null, null, null, null, null));
        }

        @Override
        public void onEvent(PusherEvent event) {
            String ch = event.getChannelName() != null ? event.getChannelName() : channel;
            record(new Obs(Kind.EVENT, ch, event.getEventName(), event.getData(), event.getUserId(),
                    null, null, null));
        }

        @Override
        public void onError(String message, Exception e) {
            record(new Obs(Kind.CHANNEL_ERROR, channel, null, message + (e == null ? "" : " / " + e),
                    null, null, null, null));
        }

        @Override
        public void onAuthenticationFailure(String message, Exception e) {
            record(new Obs(Kind.AUTH_FAILURE, channel, null, message, null, null, null, null));
        }

        @Override
        public void onDecryptionFailure(String event, String reason) {
            record(new Obs(Kind.DECRYPT_FAILURE, channel, event, reason, null, null, null, null));
        }

        @Override
        public void onUsersInformationReceived(String channelName, Set<User> users) {
            record(new Obs(Kind.USERS, channelName, null, null, null, null, null, new LinkedHashSet<>(users)));
        }

        @Override
        public void userSubscribed(String channelName, User user) {
            record(new Obs(Kind.MEMBER_ADDED, channelName, null, user == null ? null : user.getInfo(),
                    user == null ? null : user.getId(), null, null, null));
        }

        @Override
        public void userUnsubscribed(String channelName, User user) {
            record(new Obs(Kind.MEMBER_REMOVED, channelName, null, null, user == null ? null : user.getId(),
                    null, null, null));
        }
    }
}
