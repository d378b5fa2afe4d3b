package io.herald.transport;

/**
 * The listening port cannot be opened: {@code cannot listen on 0.0.0.0:6001: address already in
 * use}. One line for the operator, no stack trace.
 */
public final class ListenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ListenException(String address, Throwable cause) {
        super("cannot listen on " + address + ": " + reason(cause), null, false, false);
    }

    /** The operating system's reason, without Netty's "bind(..) failed:" in front, as a phrase. */
    private static String reason(Throwable cause) {
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        int colon = message.lastIndexOf(": ");
        String reason = colon >= 0 ? message.substring(colon + 2) : message;
        return reason.isEmpty() ? message : Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
    }
}
