package io.herald.app;

import java.util.List;

/**
 * One application's credentials, switches and limits, as an operator configures it
 * (Sockudo's app record). Limits are already resolved: 0 in the source means "the default",
 * never "nothing allowed", and {@link #withDefaults} applies that rule.
 */
public record App(
        String id,
        String key,
        String secret,
        boolean enabled,
        int maxConnections,               // 0 = unlimited
        boolean enableClientMessages,
        int maxClientEventsPerSecond,     // 0 = unlimited
        int maxBackendEventsPerSecond,    // 0 = unlimited
        int maxReadRequestsPerSecond,     // 0 = unlimited
        int maxPresenceMembersPerChannel,
        int maxPresenceMemberSizeInKb,
        int maxChannelNameLength,
        int maxEventChannelsAtOnce,
        int maxEventNameLength,
        int maxEventPayloadInKb,
        int maxEventBatchSize,
        boolean enableUserAuthentication,
        boolean enableWatchlistEvents,
        boolean enableSubscriptionCountEvent,
        List<String> allowedOrigins) {      // empty = any origin

    public static final int DEFAULT_MAX_PRESENCE_MEMBERS = 100;
    public static final int DEFAULT_MAX_PRESENCE_MEMBER_SIZE_KB = 2;
    public static final int DEFAULT_MAX_CHANNEL_NAME_LENGTH = 200;
    public static final int DEFAULT_MAX_EVENT_CHANNELS = 100;
    public static final int DEFAULT_MAX_EVENT_NAME_LENGTH = 200;
    public static final int DEFAULT_MAX_EVENT_PAYLOAD_KB = 100;
    public static final int DEFAULT_MAX_EVENT_BATCH_SIZE = 10;

    public App {
        allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
    }

    /** An enabled app with every limit at its default. */
    public static App of(String id, String key, String secret) {
        return new App(id, key, secret, true, 0, false, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, false, false, false, List.of()).withDefaults();
    }

    /** Replaces each limit given as 0 (absent) by its documented default. */
    public App withDefaults() {
        return new App(id, key, secret, enabled, maxConnections, enableClientMessages,
                maxClientEventsPerSecond, maxBackendEventsPerSecond, maxReadRequestsPerSecond,
                orDefault(maxPresenceMembersPerChannel, DEFAULT_MAX_PRESENCE_MEMBERS),
                orDefault(maxPresenceMemberSizeInKb, DEFAULT_MAX_PRESENCE_MEMBER_SIZE_KB),
                orDefault(maxChannelNameLength, DEFAULT_MAX_CHANNEL_NAME_LENGTH),
                orDefault(maxEventChannelsAtOnce, DEFAULT_MAX_EVENT_CHANNELS),
                orDefault(maxEventNameLength, DEFAULT_MAX_EVENT_NAME_LENGTH),
                orDefault(maxEventPayloadInKb, DEFAULT_MAX_EVENT_PAYLOAD_KB),
                orDefault(maxEventBatchSize, DEFAULT_MAX_EVENT_BATCH_SIZE),
                enableUserAuthentication, enableWatchlistEvents, enableSubscriptionCountEvent,
                allowedOrigins);
    }

    public App withClientMessages(boolean enable) {
        return new App(id, key, secret, enabled, maxConnections, enable,
                maxClientEventsPerSecond, maxBackendEventsPerSecond, maxReadRequestsPerSecond,
                maxPresenceMembersPerChannel, maxPresenceMemberSizeInKb, maxChannelNameLength,
                maxEventChannelsAtOnce, maxEventNameLength, maxEventPayloadInKb, maxEventBatchSize,
                enableUserAuthentication, enableWatchlistEvents, enableSubscriptionCountEvent,
                allowedOrigins);
    }

    public App withEnabled(boolean enable) {
        return new App(id, key, secret, enable, maxConnections, enableClientMessages,
                maxClientEventsPerSecond, maxBackendEventsPerSecond, maxReadRequestsPerSecond,
                maxPresenceMembersPerChannel, maxPresenceMemberSizeInKb, maxChannelNameLength,
                maxEventChannelsAtOnce, maxEventNameLength, maxEventPayloadInKb, maxEventBatchSize,
                enableUserAuthentication, enableWatchlistEvents, enableSubscriptionCountEvent,
                allowedOrigins);
    }

    public int maxEventPayloadBytes() {
        return maxEventPayloadInKb * 1024;
    }

    public int maxPresenceMemberBytes() {
        return maxPresenceMemberSizeInKb * 1024;
    }

    private static int orDefault(int value, int fallback) {
        return value > 0 ? value : fallback;
    }
}
