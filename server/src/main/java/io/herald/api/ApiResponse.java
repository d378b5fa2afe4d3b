package io.herald.api;

import io.herald.wire.Jsons;

/** Status and body of an HTTP API answer. Errors are always {@code {"error":"..."}}. */
public record ApiResponse(int status, String contentType, String body) {
    public static ApiResponse json(int status, String json) {
        return new ApiResponse(status, "application/json", json);
    }

    public static ApiResponse text(int status, String text) {
        return new ApiResponse(status, "text/plain; charset=utf-8", text);
    }

    public static ApiResponse error(int status, String message) {
        return json(status, "{\"error\":" + Jsons.quote(message) + "}");
    }
}
