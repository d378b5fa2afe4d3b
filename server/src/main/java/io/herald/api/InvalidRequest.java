package io.herald.api;

/** A request the API refuses; becomes {@code {"error": message}} with {@code status}. */
final class InvalidRequest extends Exception {
    final int status;

    InvalidRequest(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    ApiResponse response() {
        return ApiResponse.error(status, getMessage());
    }
}
