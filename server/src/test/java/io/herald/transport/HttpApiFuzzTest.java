package io.herald.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.api.ApiRequest;
import io.herald.api.ApiResponse;
import io.herald.api.Health;
import io.herald.api.HttpApi;
import io.herald.api.RequestSignature;
import io.herald.app.App;
import io.herald.app.MemoryAppManager;
import io.herald.cache.MemoryChannelCache;
import io.herald.channel.ChannelRegistry;
import io.herald.channel.ConnectionQuota;
import io.herald.cluster.LocalAdapter;
import io.herald.events.ServerEvents;
import io.herald.ratelimit.AppRateLimits;
import io.herald.ratelimit.HttpRateLimits;
import io.herald.wire.Jsons;
import io.herald.wire.Signatures;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.QueryStringEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Fuzzing the HTTP API: the request URI's decoding ({@link RequestTarget}, as the transport does
 * it), the signature check ({@link RequestSignature}) and {@link HttpApi#handle} with arbitrary
 * methods, paths, parameters and bodies, half of them signed correctly so that the endpoints'
 * own validation (the JSON bodies of publishes) is reached.
 *
 * <p>Property: a malformed URI is the documented IllegalArgumentException (answered 400 by the
 * transport); anything else gets an answer at once (everything here is in memory), never a 500,
 * with a status the API documents and, for an error, a JSON {@code {"error": "..."}} body. The
 * corpus is under src/test/resources/io/herald/transport/HttpApiFuzzTestInputs.
 */
@Isolated("Jazzer's hooks report findings while a fuzz test runs; nothing else may run then")
class HttpApiFuzzTest {
    private static final App APP = App.builder("fuzz-app", "fuzz-key", "fuzz-secret").maxEventBatchSize(3)
            .maxEventChannelsAtOnce(3).maxEventPayloadInKb(1).build();
    private static final App DISABLED = App.builder("off", "off-key", "off-secret").enabled(false).build();
    private static final Set<Integer> DOCUMENTED = Set.of(200, 400, 401, 403, 404, 405, 413, 429, 503);
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD");
    private static final List<String> PATHS = List.of("/apps/{id}/events", "/apps/{id}/batch_events", "/apps/{id}/channels",
            "/apps/{id}/channels/{c}", "/apps/{id}/channels/{c}/users", "/apps/{id}/users/{u}/terminate_connections",
            "/apps/{id}", "/apps/", "/up", "/up/{id}", "/usage", "/", "/apps/{id}/channels/{c}/extra");
    private static final List<String> PARAMETERS = List.of("info", "filter_by_prefix", "socket_id", "auth_key", "x");
    private static final List<String> IDS = List.of("fuzz-app", "off", "missing", "");

    @FuzzTest(maxDuration = "3m")
    void request(FuzzedDataProvider data) throws Exception {
        EmbeddedChannel loop = new EmbeddedChannel();
        ChannelRegistry registry = new ChannelRegistry(loop.eventLoop(), ServerEvents.NONE);
        LocalAdapter adapter = new LocalAdapter(ServerEvents.NONE);
        adapter.start(registry);
        MemoryChannelCache cache = new MemoryChannelCache(60, 100);
        HttpApi api = new HttpApi(new MemoryAppManager(List.of(APP, DISABLED)), adapter, cache, new ConnectionQuota(),
                new AppRateLimits(null, () -> 1, ServerEvents.NONE), HttpRateLimits.disabled(), ServerEvents.NONE,
                new Health(List.of(), () -> false), () -> CompletableFuture.completedFuture(true));
        try {
            String method = data.pickValue(METHODS);
            String path = data.consumeBoolean() ? data.consumeString(100)
                    : data.pickValue(PATHS).replace("{id}", data.pickValue(IDS)).replace("{c}", data.consumeString(30))
                    .replace("{u}", data.consumeString(10));
            QueryStringEncoder query = new QueryStringEncoder(path);
            int extra = data.consumeInt(0, 3);
            for (int i = 0; i < extra; i++) {
                query.addParam(data.consumeBoolean() ? data.pickValue(PARAMETERS) : data.consumeString(10), data.consumeString(40));
            }
            boolean sign = data.consumeBoolean();
            byte[] body = data.consumeBoolean() ? publishBody(data) : data.consumeBytes(2000);
            if (sign) {
                query.addParam("auth_key", APP.key());
                query.addParam("auth_timestamp", Long.toString(System.currentTimeMillis() / 1000));
                query.addParam("auth_version", "1.0");
                if (body.length > 0) {
                    query.addParam("body_md5", Signatures.md5Hex(body));
                }
            }
            String uri = data.consumeBoolean() ? query.toString() : query + data.consumeRemainingAsString();
            RequestTarget target;
            try {
                target = RequestTarget.parse(uri);
                if (sign) {
                    String signature = Signatures.hmacSha256Hex(APP.secret(),
                            RequestSignature.stringToSign(method, target.path(), target.params()));
                    target = RequestTarget.parse(uri + (uri.contains("?") ? "&" : "?") + "auth_signature=" + signature);
                }
            } catch (IllegalArgumentException malformedEscape) {
                return; // the documented outcome: 400 "Malformed request URI"
            }
            CompletableFuture<ApiResponse> answer = api.handle(new ApiRequest(method, target.path(), target.params(), body,
                    ByteBufAllocator.DEFAULT));
            loop.runPendingTasks();
            assertThat(answer).as("answered at once: %s %s", method, uri).isDone();
            ApiResponse response = answer.join();
            assertThat(response.status()).as("status of %s %s: %s", method, uri, response.body()).isIn(DOCUMENTED);
            if (response.status() >= 400 && response.contentType().contains("json")) {
                JsonNode error = Jsons.MAPPER.readTree(response.body());
                assertThat(error.path("error").isTextual()).as("error body %s", response.body()).isTrue();
            }
        } finally {
            adapter.close();
            cache.close();
            loop.finishAndReleaseAll();
        }
    }

    /** A publish or batch body with fuzzed fields: what the official libraries send, bent. */
    private static byte[] publishBody(FuzzedDataProvider data) {
        String event = "{\"name\":" + Jsons.quote(data.consumeString(20)) + ",\"data\":" + Jsons.quote(data.consumeString(200))
                + ",\"channels\":[" + Jsons.quote(data.consumeString(20)) + "," + Jsons.quote("presence-" + data.consumeString(5))
                + "],\"socket_id\":" + Jsons.quote(data.consumeString(12)) + ",\"info\":" + Jsons.quote(data.consumeString(30)) + "}";
        String body = data.consumeBoolean() ? event : "{\"batch\":[" + event + "," + event.replace("channels\":[", "channel\":")
                .replaceFirst("\\],\"socket_id", ",\"socket_id") + "]}";
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
