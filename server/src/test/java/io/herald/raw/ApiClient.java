package io.herald.raw;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Raw HTTP calls to a Herald node, signed with {@link ApiSigner}. */
public final class ApiClient {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(RawClient.TIMEOUT_SECONDS))
            .build();

    private final int port;
    private final String key;
    private final String secret;

    public ApiClient(int port, String key, String secret) {
        this.port = port;
        this.key = key;
        this.secret = secret;
    }

    public static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** The auth parameters (signature included) for a request at the given timestamp. */
    public Map<String, String> signedParams(String method, String path, String body, long timestamp,
            Map<String, String> extra) {
        Map<String, String> params = new LinkedHashMap<>(extra);
        params.put("auth_key", key);
        params.put("auth_timestamp", Long.toString(timestamp));
        params.put("auth_version", "1.0");
        if (body != null && !body.isEmpty()) {
            params.put("body_md5", ApiSigner.md5Hex(body));
        }
        params.put("auth_signature", ApiSigner.requestSignature(secret, method, path, params));
        return params;
    }

    public HttpResponse<String> post(String path, String body) {
        return send("POST", path, signedParams("POST", path, body, now(), Map.of()), body);
    }

    public HttpResponse<String> get(String path, Map<String, String> extra) {
        return send("GET", path, signedParams("GET", path, null, now(), extra), null);
    }

    /** Sends exactly the given query parameters (URL-encoded on the wire) and body. */
    public HttpResponse<String> send(String method, String path, Map<String, String> params, String body) {
        return send(method, path, params, body, false);
    }

    public HttpResponse<String> send(String method, String path, Map<String, String> params, String body,
            boolean expectContinue) {
        String query = query(params);
        URI uri = URI.create("http://127.0.0.1:" + port + path + (query.isEmpty() ? "" : "?" + query));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(RawClient.TIMEOUT_SECONDS))
                .expectContinue(expectContinue);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + uri + " failed", e);
        }
    }

    /** A signed GET of {@code path} as HTTP/1.1 text, with the extra header lines given, for {@link RawHttp}. */
    public String rawSignedGet(String path, String... headerLines) {
        StringBuilder request = new StringBuilder("GET ").append(path).append('?')
                .append(query(signedParams("GET", path, null, now(), Map.of())))
                .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String line : headerLines) {
            request.append(line).append("\r\n");
        }
        return request.append("\r\n").toString();
    }

    private static String query(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    /** An unsigned GET. */
    public HttpResponse<String> plainGet(String path) {
        return send("GET", path, Map.of(), null);
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return RawClient.JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("response body is not JSON: " + response.statusCode() + " " + response.body(), e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
