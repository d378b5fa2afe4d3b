package io.herald.raw;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Pusher signatures written straight from the protocol notes (sections 2 and 5), independent of the
 * server's own code.
 */
public final class ApiSigner {
    private ApiSigner() {}

    public static String hmacSha256Hex(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String md5Hex(String body) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every parameter except auth_signature, keys lower-cased, sorted, joined k=v&k=v, not encoded. */
    public static String canonicalQuery(Map<String, String> params) {
        TreeMap<String, String> sorted = new TreeMap<>();
        params.forEach((k, v) -> {
            String key = k.toLowerCase(Locale.ROOT);
            if (!key.equals("auth_signature")) {
                sorted.put(key, v);
            }
        });
        return sorted.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("&"));
    }

    /** hex HMAC-SHA256(secret, METHOD \n PATH \n QUERY). */
    public static String requestSignature(String secret, String method, String path, Map<String, String> params) {
        return hmacSha256Hex(secret, method + "\n" + path + "\n" + canonicalQuery(params));
    }

    /** Auth for private and private-encrypted channels: key:HMAC(secret, socket_id:channel). */
    public static String channelAuth(String key, String secret, String socketId, String channel) {
        return key + ":" + hmacSha256Hex(secret, socketId + ":" + channel);
    }

    /** Auth for presence channels: key:HMAC(secret, socket_id:channel:channel_data). */
    public static String presenceAuth(String key, String secret, String socketId, String channel, String channelData) {
        return key + ":" + hmacSha256Hex(secret, socketId + ":" + channel + ":" + channelData);
    }

    /** Auth for user sign-in: key:HMAC(secret, socket_id::user::user_data). */
    public static String signInAuth(String key, String secret, String socketId, String userData) {
        return key + ":" + hmacSha256Hex(secret, socketId + "::user::" + userData);
    }
}
