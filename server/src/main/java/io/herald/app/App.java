package io.herald.app;

import java.util.List;

/**
 * One application's credentials, switches and limits, as an operator configures it
 * (Sockudo's app record). Limits are already resolved: 0 in the source means "the default",
 * never "nothing allowed"; {@link Builder#build} applies that rule. Build apps with
 * {@link #builder}, and change one with {@link #toBuilder}, so that a new field touches one place.
 */
public record App(
        String id,
        String key,
        String secret,
        boolean enabled,
        int maxConnections,               // 0 = unlimited
        boolean enableClientMessages,
        int maxClientEventsPerSecond,     // 0 in the source = 10, Pusher's default
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
        List<String> allowedOrigins,      // empty = any origin
        List<Webhook> webhooks) {

    /** Pusher's own limit: a client cannot fan out without bound unless the operator raises it. */
    public static final int DEFAULT_MAX_CLIENT_EVENTS_PER_SECOND = 10;
    public static final int DEFAULT_MAX_PRESENCE_MEMBERS = 100;
    public static final int DEFAULT_MAX_PRESENCE_MEMBER_SIZE_KB = 2;
    public static final int DEFAULT_MAX_CHANNEL_NAME_LENGTH = 200;
    public static final int DEFAULT_MAX_EVENT_CHANNELS = 100;
    public static final int DEFAULT_MAX_EVENT_NAME_LENGTH = 200;
    public static final int DEFAULT_MAX_EVENT_PAYLOAD_KB = 100;
    public static final int DEFAULT_MAX_EVENT_BATCH_SIZE = 10;

    public App {
        allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
        webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
    }

    /** An enabled app with every limit at its default. */
    public static App of(String id, String key, String secret) {
        return builder(id, key, secret).build();
    }

    public static Builder builder(String id, String key, String secret) {
        return new Builder(id, key, secret);
    }

    /** Without the secret, which signs everything of the app: an app may end up in a log line. */
    @Override
    public String toString() {
        return "App[id=" + id + ", key=" + key + ", secret=***, enabled=" + enabled + ", maxConnections=" + maxConnections
                + ", enableClientMessages=" + enableClientMessages + ", webhooks=" + webhooks + "]";
    }

    /** A builder holding this app's values, to change some of them. */
    public Builder toBuilder() {
        return new Builder(id, key, secret)
                .enabled(enabled).maxConnections(maxConnections).enableClientMessages(enableClientMessages)
                .maxClientEventsPerSecond(maxClientEventsPerSecond).maxBackendEventsPerSecond(maxBackendEventsPerSecond)
                .maxReadRequestsPerSecond(maxReadRequestsPerSecond).maxPresenceMembersPerChannel(maxPresenceMembersPerChannel)
                .maxPresenceMemberSizeInKb(maxPresenceMemberSizeInKb).maxChannelNameLength(maxChannelNameLength)
                .maxEventChannelsAtOnce(maxEventChannelsAtOnce).maxEventNameLength(maxEventNameLength)
                .maxEventPayloadInKb(maxEventPayloadInKb).maxEventBatchSize(maxEventBatchSize)
                .enableUserAuthentication(enableUserAuthentication).enableWatchlistEvents(enableWatchlistEvents)
                .enableSubscriptionCountEvent(enableSubscriptionCountEvent).allowedOrigins(allowedOrigins)
                .webhooks(webhooks);
    }

    public int maxEventPayloadBytes() {
        return maxEventPayloadInKb * 1024;
    }

    public int maxPresenceMemberBytes() {
        return maxPresenceMemberSizeInKb * 1024;
    }

    /** Builds an {@link App}; a limit left at 0 gets its documented default. */
    public static final class Builder {
        private final String id;
        private final String key;
        private final String secret;
        private boolean enabled = true;
        private int maxConnections;
        private boolean enableClientMessages;
        private int maxClientEventsPerSecond;
        private int maxBackendEventsPerSecond;
        private int maxReadRequestsPerSecond;
        private int maxPresenceMembersPerChannel;
        private int maxPresenceMemberSizeInKb;
        private int maxChannelNameLength;
        private int maxEventChannelsAtOnce;
        private int maxEventNameLength;
        private int maxEventPayloadInKb;
        private int maxEventBatchSize;
        private boolean enableUserAuthentication;
        private boolean enableWatchlistEvents;
        private boolean enableSubscriptionCountEvent;
        private List<String> allowedOrigins = List.of();
        private List<Webhook> webhooks = List.of();

        private Builder(String id, String key, String secret) {
            this.id = id;
            this.key = key;
            this.secret = secret;
        }

        public Builder enabled(boolean value) {
            enabled = value;
            return this;
        }

        public Builder maxConnections(int value) {
            maxConnections = value;
            return this;
        }

        public Builder enableClientMessages(boolean value) {
            enableClientMessages = value;
            return this;
        }

        public Builder maxClientEventsPerSecond(int value) {
            maxClientEventsPerSecond = value;
            return this;
        }

        public Builder maxBackendEventsPerSecond(int value) {
            maxBackendEventsPerSecond = value;
            return this;
        }

        public Builder maxReadRequestsPerSecond(int value) {
            maxReadRequestsPerSecond = value;
            return this;
        }

        public Builder maxPresenceMembersPerChannel(int value) {
            maxPresenceMembersPerChannel = value;
            return this;
        }

        public Builder maxPresenceMemberSizeInKb(int value) {
            maxPresenceMemberSizeInKb = value;
            return this;
        }

        public Builder maxChannelNameLength(int value) {
            maxChannelNameLength = value;
            return this;
        }

        public Builder maxEventChannelsAtOnce(int value) {
            maxEventChannelsAtOnce = value;
            return this;
        }

        public Builder maxEventNameLength(int value) {
            maxEventNameLength = value;
            return this;
        }

        public Builder maxEventPayloadInKb(int value) {
            maxEventPayloadInKb = value;
            return this;
        }

        public Builder maxEventBatchSize(int value) {
            maxEventBatchSize = value;
            return this;
        }

        public Builder enableUserAuthentication(boolean value) {
            enableUserAuthentication = value;
            return this;
        }

        public Builder enableWatchlistEvents(boolean value) {
            enableWatchlistEvents = value;
            return this;
        }

        public Builder enableSubscriptionCountEvent(boolean value) {
            enableSubscriptionCountEvent = value;
            return this;
        }

        public Builder allowedOrigins(List<String> value) {
            allowedOrigins = value;
            return this;
        }

        public Builder webhooks(List<Webhook> value) {
            webhooks = value;
            return this;
        }

        public App build() {
            return new App(id, key, secret, enabled, maxConnections, enableClientMessages,
                    orDefault(maxClientEventsPerSecond, DEFAULT_MAX_CLIENT_EVENTS_PER_SECOND),
                    maxBackendEventsPerSecond, maxReadRequestsPerSecond,
                    orDefault(maxPresenceMembersPerChannel, DEFAULT_MAX_PRESENCE_MEMBERS),
                    orDefault(maxPresenceMemberSizeInKb, DEFAULT_MAX_PRESENCE_MEMBER_SIZE_KB),
                    orDefault(maxChannelNameLength, DEFAULT_MAX_CHANNEL_NAME_LENGTH),
                    orDefault(maxEventChannelsAtOnce, DEFAULT_MAX_EVENT_CHANNELS),
                    orDefault(maxEventNameLength, DEFAULT_MAX_EVENT_NAME_LENGTH),
                    orDefault(maxEventPayloadInKb, DEFAULT_MAX_EVENT_PAYLOAD_KB),
                    orDefault(maxEventBatchSize, DEFAULT_MAX_EVENT_BATCH_SIZE),
                    enableUserAuthentication, enableWatchlistEvents, enableSubscriptionCountEvent,
                    allowedOrigins, webhooks);
        }

        private static int orDefault(int value, int fallback) {
            return value > 0 ? value : fallback;
        }
    }
}
