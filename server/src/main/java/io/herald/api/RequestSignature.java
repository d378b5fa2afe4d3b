package io.herald.api;

import io.herald.app.App;
import io.herald.wire.Signatures;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Verifies an HTTP API request's signature (protocol spec section 5): HMAC-SHA256 of
 * {@code METHOD\nPATH\nQUERY}, QUERY being every parameter but auth_signature, keys lower-cased,
 * sorted, joined {@code k=v&k=v} without URL-encoding.
 */
public final class RequestSignature {
    public static final long MAX_CLOCK_SKEW_SECONDS = 600;

    private RequestSignature() {}

    /** Returns null when the request is correctly signed for {@code app}, otherwise why not. */
    public static String problem(App app, ApiRequest request, long nowEpochSeconds) {
        for (String required : List.of("auth_key", "auth_timestamp", "auth_version", "auth_signature")) {
            if (request.param(required) == null) {
                return "Missing " + required + " query parameter (requests must be signed)";
            }
        }
        if (!request.param("auth_key").equals(app.key())) {
            return "auth_key does not belong to app " + app.id();
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(request.param("auth_timestamp"));
        } catch (NumberFormatException e) {
            return "auth_timestamp is not a number of seconds";
        }
        if (Math.abs(nowEpochSeconds - timestamp) > MAX_CLOCK_SKEW_SECONDS) {
            return "auth_timestamp " + timestamp + " is more than " + MAX_CLOCK_SKEW_SECONDS
                    + " s from server time " + nowEpochSeconds;
        }
        if (request.body().length > 0) {
            String bodyMd5 = request.param("body_md5");
            if (bodyMd5 == null) {
                return "Missing body_md5 (required when the request has a body)";
            }
            if (!Signatures.constantTimeEquals(Signatures.md5Hex(request.body()), bodyMd5)) {
                return "body_md5 does not match the body";
            }
        }
        String toSign = stringToSign(request.method(), request.path(), request.params());
        if (!Signatures.constantTimeEquals(Signatures.hmacSha256Hex(app.secret(), toSign), request.param("auth_signature"))) {
            return "Invalid signature: expected HMAC-SHA256 of '" + toSign.replace("\n", "\\n") + "' with the app secret";
        }
        return null;
    }

    public static String stringToSign(String method, String path, Map<String, List<String>> params) {
        TreeMap<String, String> sorted = new TreeMap<>();
        params.forEach((key, values) -> {
            String lower = key.toLowerCase(java.util.Locale.ROOT);
            if (!lower.equals("auth_signature") && !values.isEmpty()) {
                sorted.put(lower, values.get(0));
            }
        });
        StringBuilder query = new StringBuilder();
        sorted.forEach((key, value) -> {
            if (query.length() > 0) {
                query.append('&');
            }
            query.append(key).append('=').append(value);
        });
        return method + "\n" + path + "\n" + query;
    }
}
