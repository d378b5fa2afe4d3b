package io.herald.wire;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 signatures of the Pusher protocol, compared in constant time. */
public final class Signatures {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Signatures() {}

    /** Keyed Macs per thread and secret: a provider lookup and key setup per request is most of the cost. */
    private static final int MACS_PER_THREAD = 64;
    private static final ThreadLocal<Map<String, Mac>> MACS = ThreadLocal.withInitial(
            () -> new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Mac> eldest) {
                    return size() > MACS_PER_THREAD;
                }
            });

    public static String hmacSha256Hex(String secret, String message) {
        Mac mac = MACS.get().computeIfAbsent(secret, Signatures::newMac);
        return hex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    }

    private static Mac newMac(String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    public static String md5Hex(byte[] body) {
        try {
            return hex(MessageDigest.getInstance("MD5").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }

    /** Constant-time comparison, so a forger learns nothing from response timing. */
    public static boolean constantTimeEquals(String expected, String given) {
        if (given == null) {
            return false;
        }
        return MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    /** The string a backend signs to authorize a private or encrypted channel (presence adds channel_data). */
    public static String channelAuthPayload(String socketId, String channel, String channelDataOrNull) {
        return channelDataOrNull == null
                ? socketId + ":" + channel
                : socketId + ":" + channel + ":" + channelDataOrNull;
    }

    public static String signInPayload(String socketId, String userData) {
        return socketId + "::user::" + userData;
    }

    /**
     * Checks a client's {@code "key:signature"} auth string against the payload it must sign.
     * The key part must be this app's key; the signature is compared in constant time.
     */
    public static boolean verifyAuth(String appKey, String appSecret, String payload, String auth) {
        if (auth == null) {
            return false;
        }
        int colon = auth.indexOf(':');
        if (colon < 0 || !auth.substring(0, colon).equals(appKey)) {
            return false;
        }
        return constantTimeEquals(hmacSha256Hex(appSecret, payload), auth.substring(colon + 1));
    }

    private static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[bytes[i] & 0xf];
        }
        return new String(out);
    }
}
