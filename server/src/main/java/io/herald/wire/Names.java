package io.herald.wire;

/** Validation of channel and event names (protocol spec section 2). */
public final class Names {
    private Names() {}

    /**
     * Returns null when {@code name} is a valid channel name of at most {@code maxLength}
     * characters, otherwise the reason, phrased for the client.
     */
    public static String channelNameProblem(String name, int maxLength) {
        if (name == null || name.isEmpty()) {
            return "Channel name is missing";
        }
        if (name.length() > maxLength) {
            return "Channel name is longer than " + maxLength + " characters";
        }
        int start = name.startsWith("#server-to-user-") ? 1 : 0;
        for (int i = start; i < name.length(); i++) {
            if (!isChannelChar(name.charAt(i))) {
                return "Channel name contains an invalid character '" + name.charAt(i)
                        + "' (allowed: A-Z a-z 0-9 _ - = @ , . ;)";
            }
        }
        return null;
    }

    public static String eventNameProblem(String name, int maxLength) {
        if (name == null || name.isEmpty()) {
            return "Event name is missing";
        }
        if (name.length() > maxLength) {
            return "Event name is longer than " + maxLength + " characters";
        }
        return null;
    }

    /** Socket ids are two unsigned integers joined by a dot. */
    public static boolean isValidSocketId(String socketId) {
        if (socketId == null) {
            return false;
        }
        int dot = socketId.indexOf('.');
        if (dot <= 0 || dot == socketId.length() - 1 || socketId.length() > 41) {
            return false;
        }
        for (int i = 0; i < socketId.length(); i++) {
            char c = socketId.charAt(i);
            if (i != dot && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isChannelChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '-' || c == '=' || c == '@' || c == ',' || c == '.' || c == ';';
    }
}
