package io.herald.channel;

/**
 * WebSocket messages and bytes that one app's connections on one event loop sent and received.
 * Written only by that loop, with plain increments (a delivery costs two additions); read by
 * the metrics scrape from another thread, where a value a moment old is good enough.
 */
public final class AppTraffic {
    long messagesSent;
    long bytesSent;
    long messagesReceived;
    long bytesReceived;

    /** Totals over every loop, for one app. */
    public record Totals(long messagesSent, long bytesSent, long messagesReceived, long bytesReceived) {
        Totals plus(Totals other) {
            return new Totals(messagesSent + other.messagesSent, bytesSent + other.bytesSent,
                    messagesReceived + other.messagesReceived, bytesReceived + other.bytesReceived);
        }
    }

    Totals totals() {
        return new Totals(messagesSent, bytesSent, messagesReceived, bytesReceived);
    }
}
