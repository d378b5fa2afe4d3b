package io.herald.wire;

/**
 * What a channel name's prefix makes it. Prefixes are matched at the start of the name only
 * (Sockudo matched "cache-" anywhere; that is a bug we do not copy).
 */
public enum ChannelType {
    PUBLIC(false, false, false),
    PRIVATE(true, false, false),
    PRIVATE_ENCRYPTED(true, true, false),
    PRESENCE(true, false, true),
    /** {@code #server-to-user-{id}}: server-only, subscribed after sign-in. */
    SERVER_TO_USER(false, false, false);

    private final boolean requiresAuth;
    private final boolean encrypted;
    private final boolean presence;

    ChannelType(boolean requiresAuth, boolean encrypted, boolean presence) {
        this.requiresAuth = requiresAuth;
        this.encrypted = encrypted;
        this.presence = presence;
    }

    /**
     * Channels the server uses for its own bookkeeping ({@code #watchlist:{user}}). The colon is
     * not allowed in client channel names, so no client can subscribe to or publish on them.
     */
    public static final String WATCHLIST_PREFIX = "#watchlist:";

    /** Cache channels keep their last event; the prefix must be at the very start of the name. */
    public static boolean isCache(String name) {
        return name.startsWith("cache-") || name.startsWith("private-cache-")
                || name.startsWith("private-encrypted-cache-") || name.startsWith("presence-cache-");
    }

    public static boolean isInternal(String name) {
        return name.startsWith(WATCHLIST_PREFIX);
    }

    public static ChannelType of(String name) {
        if (name.startsWith("private-encrypted-")) {
            return PRIVATE_ENCRYPTED;
        }
        if (name.startsWith("private-")) {
            return PRIVATE;
        }
        if (name.startsWith("presence-")) {
            return PRESENCE;
        }
        if (name.startsWith("#server-to-user-")) {
            return SERVER_TO_USER;
        }
        return PUBLIC;
    }

    public boolean requiresAuth() {
        return requiresAuth;
    }

    public boolean isEncrypted() {
        return encrypted;
    }

    public boolean isPresence() {
        return presence;
    }

    /** Client events are allowed on private and presence channels, never on encrypted ones. */
    public boolean allowsClientEvents() {
        return this == PRIVATE || this == PRESENCE;
    }
}
