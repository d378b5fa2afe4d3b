package io.herald.wire;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes text fit for a log line or an error message: no credential of any backend survives.
 * Every message that may carry a URL, a driver's own exception text or a configuration value
 * passes through {@link #mask} before it is logged or thrown, so that a start-up failure on
 * {@code redis://:secret@host} never prints the secret (issue 12, item 13).
 *
 * <p>Two rules, because libraries echo credentials in two ways: the user-info part of any URL
 * ({@code scheme://user:password@host}, also NATS's {@code nats://token@host}) is dropped, and
 * so are query parameters that name a secret; and values known to be secret (passwords and
 * tokens from the configuration) are replaced wherever they
 * appear, raw or percent-encoded.
 */
public final class Secrets {
    /** Stands for a removed secret value. */
    public static final String MASK = "***";
    /**
     * Known secret values shorter than this are not searched for: replacing every "ab" would make
     * messages unreadable, and URL user-info (the usual carrier) is dropped whatever its length.
     */
    static final int MIN_KNOWN_SECRET_LENGTH = 4;

    /**
     * {@code scheme://user-info@}: greedy up to the last '@' before the path or a space, so that an
     * unencoded '@' in a password does not leave its tail behind.
     */
    private static final Pattern USER_INFO = Pattern.compile("\\b([a-zA-Z][a-zA-Z0-9+.-]*://)[^/\\s\"'<>]*@");
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)([?&;](?:password|passwd|pass|pwd|token|auth_token|secret)=)[^&;\\s\"'<>]*");

    private Secrets() {}

    /** {@code text} without URL credentials, or null for null. */
    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        String masked = USER_INFO.matcher(text).replaceAll(match -> Matcher.quoteReplacement(match.group(1)));
        return SECRET_PARAMETER.matcher(masked).replaceAll(match -> Matcher.quoteReplacement(match.group(1) + MASK));
    }

    /** {@code text} without URL credentials and without any of {@code known} (raw or percent-encoded). */
    public static String mask(String text, Collection<String> known) {
        String masked = mask(text);
        if (masked == null || known == null) {
            return masked;
        }
        for (String secret : known) {
            if (secret == null || secret.length() < MIN_KNOWN_SECRET_LENGTH) {
                continue;
            }
            masked = masked.replace(secret, MASK);
            String encoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
            if (!encoded.equals(secret)) {
                masked = masked.replace(encoded, MASK).replace(encoded.replace("+", "%20"), MASK);
            }
        }
        return masked;
    }

    /**
     * The message of {@code error} fit for one line: each cause's message that adds something,
     * joined with ": ", masked. Drivers wrap the useful part (WRONGPASS, Authorization Violation,
     * a refused connection) one or two causes deep.
     */
    public static String describe(Throwable error, Collection<String> known) {
        StringBuilder line = new StringBuilder();
        Set<Throwable> seen = new LinkedHashSet<>();
        for (Throwable cause = error; cause != null && seen.add(cause); cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message == null || message.isBlank()) {
                message = cause.getCause() == null ? cause.getClass().getSimpleName() : null;
            }
            if (message == null) {
                continue;
            }
            message = message.strip().replaceAll("\\s*\\R\\s*", " ");
            if (line.indexOf(message) < 0) {
                line.append(line.length() == 0 ? "" : ": ").append(message);
            }
        }
        return mask(line.toString(), known);
    }

    /**
     * The secret a URL carries in its user-info (the password of {@code user:password}, or a
     * token alone), raw and decoded, for {@link #mask(String, Collection)}: a library may print it
     * after decoding the URL.
     */
    public static Set<String> ofUrl(String url) {
        Set<String> found = new LinkedHashSet<>();
        if (url == null) {
            return found;
        }
        Matcher userInfo = USER_INFO.matcher(url);
        while (userInfo.find()) {
            String info = userInfo.group().substring(userInfo.group(1).length(), userInfo.group().length() - 1);
            String secret = info.contains(":") ? info.substring(info.indexOf(':') + 1) : info;
            if (!secret.isEmpty()) {
                found.add(secret);
                try {
                    found.add(URLDecoder.decode(secret, StandardCharsets.UTF_8));
                } catch (IllegalArgumentException notEncoded) {
                    // a raw '%' in it: the raw form is already there
                }
            }
        }
        return found;
    }
}
