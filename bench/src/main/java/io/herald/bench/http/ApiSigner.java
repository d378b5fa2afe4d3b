package io.herald.bench.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.InvalidKeyException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs HTTP API requests as the Pusher protocol specifies (section 5): query parameters
 * auth_key, auth_timestamp, auth_version=1.0, body_md5, and auth_signature = hex
 * HMAC-SHA256(secret, METHOD \n PATH \n QUERY), QUERY being the other parameters with lower-cased
 * keys, sorted, joined k=v&amp;k=v, not URL-encoded. Not thread-safe (reuses its Mac and digest):
 * one per thread.
 */
public final class ApiSigner {
    private static final HexFormat HEX = HexFormat.of();

    private final String key;
    private final Mac mac;
    private final MessageDigest md5;

    public ApiSigner(String key, String secret) {
        this.key = key;
        try {
            this.mac = Mac.getInstance("HmacSHA256");
            this.mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Path and signed query string of a request with this body, e.g. {@code /apps/1/events?auth_key=...}. */
    public String signedUri(String method, String path, byte[] body, long unixSeconds) {
        Map<String, String> params = new TreeMap<>();
        params.put("auth_key", key);
        params.put("auth_timestamp", Long.toString(unixSeconds));
        params.put("auth_version", "1.0");
        if (body != null && body.length > 0) {
            params.put("body_md5", HEX.formatHex(md5.digest(body)));
        }
        String query = canonicalQuery(params);
        String signature = HEX.formatHex(mac.doFinal((method + "\n" + path + "\n" + query).getBytes(StandardCharsets.UTF_8)));
        return path + "?" + query + "&auth_signature=" + signature;
    }

    /** Every parameter except auth_signature, keys lower-cased, sorted, {@code k=v} joined by {@code &}. */
    static String canonicalQuery(Map<String, String> params) {
        TreeMap<String, String> sorted = new TreeMap<>();
        params.forEach((k, v) -> {
            String lower = k.toLowerCase(Locale.ROOT);
            if (!lower.equals("auth_signature")) {
                sorted.put(lower, v);
            }
        });
        StringBuilder sb = new StringBuilder();
        sorted.forEach((k, v) -> {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(k).append('=').append(v);
        });
        return sb.toString();
    }
}
