package io.herald.wire;

/** Pusher close/error codes (protocol spec section 1). */
public final class ErrorCodes {
    public static final int APP_NOT_FOUND = 4001;
    public static final int APP_DISABLED = 4003;
    public static final int OVER_CONNECTION_QUOTA = 4004;
    public static final int PATH_NOT_FOUND = 4005;
    public static final int UNSUPPORTED_PROTOCOL = 4007;
    public static final int UNAUTHORIZED = 4009;
    public static final int OVER_CAPACITY = 4100;
    public static final int RECONNECT_NOW = 4200;
    public static final int PONG_NOT_RECEIVED = 4201;
    public static final int CLIENT_EVENT_RATE_LIMITED = 4301;
    public static final int WATCHLIST_OVER_LIMIT = 4302;

    private ErrorCodes() {}
}
