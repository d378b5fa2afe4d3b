package io.herald.api;

import io.herald.wire.Jsons;
import java.util.Map;

/** Status, body and extra headers of an HTTP API answer. Errors are always {@code {"error":"..."}}. */
public record ApiResponse(int status, String contentType, String body, Map<String, String> headers) {
    public ApiResponse {
        headers = Map.copyOf(headers);
    }

    public static ApiResponse json(int status, String json) {
        return new ApiResponse(status, "application/json", json, Map.of());
    }

    public static ApiResponse text(int status, String text) {
        return new ApiResponse(status, "text/plain; charset=utf-8", text, Map.of());
    }

    public static ApiResponse error(int status, String message) {
        return json(status, "{\"error\":" + Jsons.quote(message) + "}");
    }

    /** The same answer with one more header. */
    public ApiResponse withHeader(String name, String value) {
        java.util.HashMap<String, String> more = new java.util.HashMap<>(headers);
        more.put(name, value);
        return new ApiResponse(status, contentType, body, more);
    }
}
