package io.herald.transport;

import io.herald.channel.ChannelRegistry;
import io.herald.channel.Connection;
import io.herald.channel.DeliveryLoop;
import io.herald.wire.ErrorCodes;
import io.herald.wire.Frames;
import java.util.concurrent.TimeUnit;

/**
 * Pings silent clients and closes those that do not answer (4201); closes connections that must
 * authenticate and have not within {@code user_authentication_timeout} (4009). One sweep per loop each second
 * instead of a timer per connection: idle sockets cost no scheduled tasks.
 */
final class ActivityMonitor {
    private final long activityTimeoutNanos;
    private final long pongTimeoutNanos;

    private final long userAuthenticationTimeoutNanos;

    ActivityMonitor(int activityTimeoutSeconds, int pongTimeoutSeconds, int userAuthenticationTimeoutSeconds) {
        this.activityTimeoutNanos = TimeUnit.SECONDS.toNanos(activityTimeoutSeconds);
        this.pongTimeoutNanos = TimeUnit.SECONDS.toNanos(pongTimeoutSeconds);
        this.userAuthenticationTimeoutNanos = TimeUnit.SECONDS.toNanos(userAuthenticationTimeoutSeconds);
    }

    void start(ChannelRegistry registry) {
        for (DeliveryLoop loop : registry.loops()) {
            loop.eventLoop().scheduleAtFixedRate(() -> sweep(loop), 1, 1, TimeUnit.SECONDS);
        }
    }

    private void sweep(DeliveryLoop loop) {
        long now = System.nanoTime();
        for (Connection connection : loop.connections()) {
            if (connection.isClosing()) {
                continue;
            }
            if (connection.app().enableUserAuthentication() && !connection.isAuthenticated()
                    && now - connection.connectedNanos() >= userAuthenticationTimeoutNanos) {
                connection.close(ErrorCodes.UNAUTHORIZED,
                        "Neither signed in nor subscribed to a private channel within user_authentication_timeout");
                continue;
            }
            long pingSent = connection.pingSentNanos();
            if (pingSent != 0) {
                if (now - pingSent >= pongTimeoutNanos) {
                    connection.close(ErrorCodes.PONG_NOT_RECEIVED, "Pong reply not received in time");
                }
            } else if (now - connection.lastSeenNanos() >= activityTimeoutNanos) {
                connection.markPingSent(now);
                connection.send(Frames.event(connection.channel().alloc(), "pusher:ping", null, "{}"));
            }
        }
    }
}
